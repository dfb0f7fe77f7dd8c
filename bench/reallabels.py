"""Does a little real labeled audio teach the downbeat teacher the bar of real music?

bench/barcues.py and bench/packages.py found the cpu study's downbeat teacher right about the bar of its synthetic
songs and of about three real recordings in five; none of the changes to the synthetic songs tried there carried over.
This bench adds real recordings with bars that people wrote to the teacher's labeled songs: the Fret's on Fire songs
whose grids bench/fretsonfire.py trusts for the bar phase (their check, `bench/results/fretsonfire.json`: beat F
>= 0.9 against madmom and at least 80 % of madmom's downbeats on the grid's beat 1; 4 rock and metal songs, GPL). It
trains the study's round-1 downbeat teacher at seeds 0, 1, 2 on the study's 48 labeled songs (`study`; seed 0 is the
study's own teacher) and on those songs plus the trusted Fret's on Fire songs (`fof`), all else equal (a labeled
chunk draws its song uniformly, so about one chunk in thirteen is real), and scores each teacher on
  - the study's synthetic test songs (exact labels; the floor is 0.80),
  - both real validation sets of bench/barcues.py together: marsshooter-data, colobot-common-sounds, hedgewars-data and
    freedroidrpg-data, one 30 s excerpt per recording, labeled by madmom (71 recordings; in no pool, not in the
    real-music test set),
  - the study's real-music test set (supertux-data, labeled by madmom), read only after the choice.
The rule, fixed before any run: `fof` is chosen when its mean downbeat F on the real validation sets over the seeds is
above `study`'s and each of its seeds keeps the synthetic floor. The real test set is then read for both, with paired
95 % intervals per seed, whatever it says. The Fret's on Fire songs cannot check these teachers any more: they trained on
them.
Run after `make study` (it reads the study's corpus, its seed-0 downbeat teacher and its real-music set) and after
bench/fretsonfire.py has checked the grids. Usage: .venv/bin/python bench/reallabels.py [seeds...]  (default 0 1 2).
Writes bench/results/reallabels.json; its checkpoints and scores so far are kept in outputs/cpu/bench/reallabels, where a
rerun resumes; the validation sets are bench/barcues.py's (outputs/cpu/bench/barcues).
"""
import dataclasses, json, subprocess, sys, time, warnings
from pathlib import Path
import numpy as np
import torch

sys.path.insert(0, str(Path(__file__).parent))
from barcues import fill_scores, real_valid, VALID_PACKAGES, MORE_VALID
from mirrepro.annotations import Track, read_manifest, write_manifest
from mirrepro.report import paired_bootstrap
from mirrepro.runs import train_config
from mirrepro.study import load_profile, manifest, model_dir, output_dir, realset_dir
from mirrepro.train import train

CHECK, RESULTS = Path('bench/results/fretsonfire.json'), Path('bench/results/reallabels.json')


def bar_trusted(tracks, check: dict) -> list[Track]:
    "The `tracks` whose grids `check` (bench/fretsonfire.py's rows) trusts for the bar phase, as labeled training songs."
    missing = [t.track_id for t in tracks if t.track_id not in check]
    if missing: raise SystemExit(f"{CHECK}: no check of {', '.join(missing)}: run bench/fretsonfire.py first")
    return [dataclasses.replace(t, split='train') for t in tracks if check[t.track_id]['phase']]


def chosen(valid: dict, floor: dict) -> str:
    "`fof` when its mean real-validation score is above `study`'s and it held the synthetic floor at every seed; else `study`."
    return 'fof' if floor['fof'] and np.mean(valid['fof']) > np.mean(valid['study']) else 'study'


def main():
    warnings.filterwarnings('ignore')
    from fretsonfire import build
    seeds = [int(s) for s in sys.argv[1:]] or [0, 1, 2]
    torch.set_num_threads(2)
    p = load_profile('params.yaml', 'cpu')
    work, shared = output_dir(p) / 'bench' / 'reallabels', output_dir(p) / 'bench' / 'barcues'
    base = train_config(p, 'downbeat', 1)
    real_songs = bar_trusted(build(), json.loads(CHECK.read_text())['check'])
    print(f"real labeled songs: {len(real_songs)} ({sum(t.duration for t in real_songs) / 60:.1f} min): {', '.join(t.track_id for t in real_songs)}")
    train_sets = {'study': manifest(p, 'downbeat', 'train'), 'fof': work / 'fof-train.jsonl'}
    write_manifest(train_sets['fof'], read_manifest(train_sets['study']) + real_songs)     # again each run: it follows the check
    synthetic = read_manifest(manifest(p, 'downbeat', 'test'))
    valid = real_valid(p, shared) + real_valid(p, shared, MORE_VALID, 'realvalid2')
    real = [t for t in read_manifest(realset_dir(p) / 'manifest.jsonl') if t.has('downbeat')]
    print(f"real validation: {len(valid)} recordings ({sum(t.duration for t in valid) / 60:.1f} min) of "
          f"{', '.join(VALID_PACKAGES + MORE_VALID)}; real test: {len(real)} recordings", flush=True)
    scored = work / 'scores.json'
    res = json.loads(scored.read_text()) if scored.exists() else {}
    paths = {}

    def fill(key, sets): fill_scores(res, scored, key, paths[key], sets, {})

    def line(key, names):
        print(f"{key:<12} " + '  '.join(f"{n} {res[key][n]['downbeat_f']:.3f} (beat 1 right on {res[key][n]['phase'].get(1, res[key][n]['phase'].get('1', 0))}"
                                        f" of {res[key][n]['beats_found']})" for n in names), flush=True)

    for variant, man in train_sets.items():
        for seed in seeds:
            key = f'{variant}/seed{seed}'
            if variant == 'study' and seed == base.seed: paths[key] = model_dir(p, 'downbeat', 'r1') / 'best.pt'
            else:
                paths[key] = work / 'models' / f'{variant}-seed{seed}' / 'best.pt'
                if not paths[key].exists():
                    t0 = time.perf_counter()
                    r = train(dataclasses.replace(base, seed=seed), paths[key].parent, man, manifest(p, 'downbeat', 'valid'), progress=False)
                    print(f"{key}: trained in {time.perf_counter() - t0:.0f} s ({r['precision']}), best epoch {r['best_epoch']}", flush=True)
            fill(key, {'synthetic': synthetic, 'real valid': valid})
            line(key, ('synthetic', 'real valid'))
    v = {k: [res[f'{k}/seed{s}']['real valid']['downbeat_f'] for s in seeds] for k in train_sets}
    floor = {k: all(res[f'{k}/seed{s}']['synthetic']['downbeat_f'] >= 0.80 for s in seeds) for k in train_sets}
    choice = chosen(v, floor)
    print(f"\nreal validation, mean over seeds {seeds}: " + ', '.join(f'{k} {np.mean(x):.3f}' for k, x in v.items())
          + f"; synthetic floor held at every seed: {floor}; chosen: {choice}")

    def paired(seed, name):
        "fof − study at `seed` on set `name`, paired over its recordings."
        a, b = ({t: r['downbeat_f'] for t, r in res[f'{k}/seed{seed}'][name]['per_track'].items()} for k in ('study', 'fof'))
        c = res.setdefault('_paired', {}).setdefault(name, {})[f'seed{seed}'] = paired_bootstrap(a, b)
        print(f"{name}, seed {seed}: fof - study {c['diff']:+.3f} [{c['lo']:+.3f}, {c['hi']:+.3f}]")

    for seed in seeds: paired(seed, 'real valid')
    for seed in seeds:
        for k in train_sets:
            fill(f'{k}/seed{seed}', {'real test': real})          # read only now, after the choice
            line(f'{k}/seed{seed}', ('real test',))
        paired(seed, 'real test')
    for k in train_sets:
        print(f"{k:<6} mean over seeds: synthetic {np.mean([res[f'{k}/seed{s}']['synthetic']['downbeat_f'] for s in seeds]):.3f}, "
              f"real valid {np.mean(v[k]):.3f}, real test {np.mean([res[f'{k}/seed{s}']['real test']['downbeat_f'] for s in seeds]):.3f}")
    res['_chosen'] = dict(by='mean real-valid downbeat F over seeds, synthetic floor 0.80', seeds=seeds, valid=v, floor=floor, chosen=choice)
    res['_run'] = dict(commit=subprocess.run(['git', 'rev-parse', '--short', 'HEAD'], capture_output=True, text=True).stdout.strip(),
                       command=f"bench/reallabels.py {' '.join(map(str, seeds))}", real_songs=[t.track_id for t in real_songs])
    RESULTS.write_text(json.dumps(res, indent=1, default=float) + '\n')


if __name__ == '__main__':
    main()
