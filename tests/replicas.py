"""Miniature replicas of the datasets the `paper` profile names, each in the on-disk layout and annotation format in
which researchers have it (as mirdata 1.0 reads it, or as the dataset ships where mirdata has no loader), built from
songs that `mirrepro.synth` composes, with each format's real quirks. `build(root)` writes them all and returns the
shell commands (the README's `mirrepro manifest …`) that turn them into the manifests `params.yaml` names.

Formats were taken from mirdata's loaders and its test resources (Ballroom, Beatles, Hainsworth, RWC Popular, Simac,
GTZAN, Billboard, GiantSteps key, SALAMI), from the Harmonix Set's repository layout, and from public code that reads
Hooktheory.json. Three could not be checked offline and are assumptions, said in `ASSUMED`.

The quirks each replica carries (and what the study must do with them):
- Ballroom: `time position` with a space; WAV at 44.1 kHz.
- Beatles (Isophonics): a modal key (`D:mixolydian`) and an `X` key in keylab files (masked, song skipped for key);
  chords with no majmin reading (`dim`, `sus4`); beat files whose first beats start mid-bar; seglab rows with an empty third column;
  `verse_(instrumental)` (no function: masked). (mirdata's beatles loader refuses an `X` chord, so the replica holds none.)
- Hainsworth: FLAC; beat positions that start mid-bar.
- HJDB: `time position` beat files (ASSUMED layout).
- RWC Popular: beats in centiseconds with 384 marking a downbeat; CHORUS files with quoted, lettered labels (`"verse A"`).
- Simac and SMC: beats without bar positions (downbeat masked); SMC's annotation names carry tags after the stem.
- Harmonix: the user's own MP3s; `time beat bar` beats; `time label` segments ending in `end`.
- GTZAN: 30-s excerpts at 22,050 Hz.
- Billboard: salami_chords.txt with a tonic and no mode; sections inline with the chords.
- HookTheory: one JSON for all clips, two clips of one video, a clip without alignment, a dorian clip, MP3 audio by
  YouTube id (ASSUMED layout).
- USPOP, JayChou: Harte `.lab` beside the audio (ASSUMED layouts); JayChou as WAV, USPOP as MP3.
- GiantSteps key: MP3; `D minor` key files.
- SALAMI: MP3; function files beside the letters mirdata indexes; a track that only annotator 2 annotated.
"""
import gzip, json
from pathlib import Path
import numpy as np
from mirrepro.core import SR
from mirrepro.tasks import PITCHES
from mirrepro.audio import resample, write_audio
from mirrepro.synth import synthesize, shortened

ASSUMED = {'hjdb': "audio/*.wav with annotations/beats/{stem}.beats, 'time position' lines: no public layout could be read offline",
           'uspop': "{artist}/{album}/{track}.mp3 with its Harte .lab beside it (MARL's chord labs)",
           'jaychou': "audio/{stem}.wav with chordlab/{stem}.lab (MIREX JayChou29 Harte labs)",
           'hooktheory': "the videos' audio as audio/{youtube id}.mp3 (the dataset ships no audio)"}

BEATLES_NAMES = {'verse': 'verse', 'chorus': 'refrain', 'bridge': 'bridge', 'inst': 'verse_(instrumental)', 'intro': 'intro',
                 'outro': 'outro', 'silence': 'silence'}
SALAMI_NAMES = {'verse': 'Verse', 'chorus': 'Chorus', 'bridge': 'Bridge', 'inst': 'Instrumental', 'intro': 'Intro',
                'outro': 'Outro', 'silence': 'Silence'}
HARMONIX_NAMES = {'verse': 'verse', 'chorus': 'chorus', 'bridge': 'bridge', 'inst': 'inst', 'intro': 'intro', 'outro': 'outro', 'silence': 'silence'}
HT_CHORDS = {'maj': [4, 3], 'min': [3, 4], '7': [4, 3, 3], 'min7': [3, 4, 3], 'maj7': [4, 3, 4], 'dim': [3, 3], 'sus4': [5, 2], 'sus2': [2, 5]}


class Replicas:
    "Songs composed from consecutive seeds, written into dataset layouts under `root`."

    def __init__(self, root, seed: int = 1000):
        self.root, self.seed = Path(root), seed
        self.index = {}          # dataset -> mirdata index tracks

    def song(self, style: str = 'labeled'):
        "A half-length song (20-35 s, as the smoke study's): labeling and scoring the replicas is most of the paper graph's time."
        self.seed += 1
        return synthesize(self.seed, shortened(style, 0.5))

    def audio(self, path: Path, audio, sr: int = SR, seconds: float | None = None):
        x = audio[:int(seconds * SR)] if seconds else audio
        write_audio(path, resample(x, SR, sr) if sr != SR else x, sr)

    def text(self, path: Path, text: str):
        path.parent.mkdir(parents=True, exist_ok=True); path.write_text(text)

    def add_index(self, dataset: str, tid: str, **files):
        self.index.setdefault(dataset, {})[tid] = {k: ([v, None] if v is not None else [None, None]) for k, v in files.items()}

    def write_indexes(self):
        for ds, tracks in self.index.items():
            self.text(self.root / ds / f'{ds}_index.json', json.dumps({'version': 'replica', 'tracks': tracks}))


def _beats(song, sep='\t', start: int = 0, seconds: float | None = None, positions: bool = True) -> str:
    keep = [(t, p) for t, p in zip(song.beats[start:], song.positions[start:]) if seconds is None or t < seconds]
    return ''.join(f"{t:.4f}{sep}{int(p)}\n" if positions else f"{t:.4f}\n" for t, p in keep)


def _lab(segments, names=None, sep='\t') -> str:
    return ''.join(f"{s:.4f}{sep}{e:.4f}{sep}{names.get(l, l) if names else l}\n" for s, e, l in segments)


def build(root) -> list[list[str]]:
    "Write every replica under `root`; return the `mirrepro manifest` commands that build `data/real/*.jsonl` from them."
    r = Replicas(root)
    R = Path(root)
    cmds = []
    mirdata = lambda name, out, split='train': cmds.append(['manifest', 'mirdata', name, '--data-home', str(R / name), '--index',
                                                            str(R / name / f'{name}_index.json'), '--split', split, '--out', out])

    # Ballroom (mirdata ballroom): B_1.0/audio/<genre>/<id>.wav, annotations/beats/<id>.beats with 'time position'
    for i, genre in enumerate(['Waltz', 'ChaChaCha']):
        song, audio = r.song(); tid = f'Media-10590{i}'
        r.audio(R / f'ballroom/B_1.0/audio/{genre}/{tid}.wav', audio, 44100)
        r.text(R / f'ballroom/B_1.0/annotations/beats/{tid}.beats', _beats(song, sep=' '))
        r.add_index('ballroom', tid, audio=f'B_1.0/audio/{genre}/{tid}.wav', beats=f'B_1.0/annotations/beats/{tid}.beats', tempo=None)
    mirdata('ballroom', 'data/real/ballroom.jsonl')

    # Beatles / Isophonics (mirdata beatles)
    keys = ['{key}', 'D:mixolydian', 'X']
    for i in range(3):
        song, audio = r.song(); tid = f'01{i + 1:02d}'
        album, title = '01_-_Please_Please_Me', f'{i + 1:02d}_-_Song_{i}'
        r.audio(R / f'beatles/audio/{album}/{title}.wav', audio, 44100)
        if i == 0: beatles_0 = song, audio          # also in Billboard, below
        chords = list(song.chords)
        if i == 0: s, e, l = chords[1]; chords[1] = (s, e, l.split(':')[0] + ':dim')      # no majmin reading: masked
        if i == 1: s, e, l = chords[1]; chords[1] = (s, e, l.split(':')[0] + ':sus4')     # no majmin reading: masked
        base = f'annotations/%s/The Beatles/{album}/{title}'
        r.text(R / 'beatles' / (base % 'beat' + '.txt'), _beats(song, sep='  ', start=1))
        r.text(R / 'beatles' / (base % 'chordlab' + '.lab'), _lab(chords, sep=' '))
        key = keys[i].format(key=song.key.replace(' ', ':').replace(':major', ''))
        r.text(R / 'beatles' / (base % 'keylab' + '.lab'), f"0.000\t{song.structure[0][1]:.3f}\tSilence\n"
               f"{song.structure[0][1]:.3f}\t{song.duration:.3f}\tKey\t{key}\n")
        r.text(R / 'beatles' / (base % 'seglab' + '.lab'), ''.join(f"{s:.3f}\t{e:.3f}\t\t{BEATLES_NAMES[l]}\n" for s, e, l in song.structure))
        r.add_index('beatles', tid, audio=f'audio/{album}/{title}.wav', beat=base % 'beat' + '.txt', chords=base % 'chordlab' + '.lab',
                    keys=base % 'keylab' + '.lab', sections=base % 'seglab' + '.lab')
    mirdata('beatles', 'data/real/beatles.jsonl')

    # Hainsworth (mirdata hainsworth): FLAC, beats that start mid-bar
    for i in range(2):
        song, audio = r.song(); tid = f'hains00{i + 1}'
        r.audio(R / f'hainsworth/H_1.0/audio/{tid}.flac', audio, 44100)
        r.text(R / f'hainsworth/H_1.0/annotations/beats/{tid}.beats', _beats(song, start=2))
        r.add_index('hainsworth', tid, audio=f'H_1.0/audio/{tid}.flac', beats=f'H_1.0/annotations/beats/{tid}.beats', tempo=None)
    mirdata('hainsworth', 'data/real/hainsworth.jsonl')

    # HJDB (no mirdata loader; ASSUMED layout)
    for i in range(2):
        song, audio = r.song(); stem = f'hjdb_{i:03d}'
        r.audio(R / f'hjdb/audio/{stem}.wav', audio, 44100)
        r.text(R / f'hjdb/annotations/beats/{stem}.beats', _beats(song))
    cmds.append(['manifest', 'folder', str(R / 'hjdb'), '--audio', 'audio/*.wav', '--downbeat', 'annotations/beats/{stem}.beats',
                 '--out', 'data/real/hjdb.jsonl'])

    # RWC Popular (mirdata rwc_popular): centisecond beats (384 = downbeat), quoted lettered sections, chord labs
    for i in range(2):
        song, audio = r.song(); tid = f'RM-P00{i + 1}'
        r.audio(R / f'rwc_popular/audio/rwc-p-m01/{i + 1}.wav', audio, 44100)
        first = int(np.flatnonzero(song.positions == 1)[0])      # mirdata's RWC reader needs a downbeat among the first bar's beats
        beats = ''.join(f"{round(t * 100)}\t{round(t * 100)}\t{384 if p == 1 else 48 * (int(p) - 1)}\n"
                        for t, p in zip(song.beats[first:], song.positions[first:]))
        r.text(R / f'rwc_popular/annotations/AIST.RWC-MDB-P-2001.BEAT/{tid}.BEAT.TXT', beats)
        counts = {}
        def lettered(fn):
            counts[fn] = counts.get(fn, 0) + 1
            return {'silence': 'nothing', 'outro': 'ending'}.get(fn, f'{fn} {"AB"[min(counts[fn], 2) - 1]}' if fn in ('verse', 'chorus', 'bridge') else fn)
        r.text(R / f'rwc_popular/annotations/AIST.RWC-MDB-P-2001.CHORUS/{tid}.CHORUS.TXT',
               ''.join(f'{round(s * 100)}\t{round(e * 100)}\t"{lettered(l)}"\n' for s, e, l in song.structure))
        lab = f'annotations/AIST.RWC-MDB-P-2001.CHORD/RWC_Pop_Chords/N00{i + 1}-M01-T0{i + 1}.lab'
        r.text(R / 'rwc_popular' / lab, _lab(song.chords))
        r.add_index('rwc_popular', tid, audio=f'audio/rwc-p-m01/{i + 1}.wav', beats=f'annotations/AIST.RWC-MDB-P-2001.BEAT/{tid}.BEAT.TXT',
                    sections=f'annotations/AIST.RWC-MDB-P-2001.CHORUS/{tid}.CHORUS.TXT', chords=lab, voca_inst=None)
    mirdata('rwc_popular', 'data/real/rwc_popular.jsonl')

    # Simac (mirdata simac): beats only
    for i in range(2):
        song, audio = r.song(); tid = f'simac_0{i + 1}_song'
        r.audio(R / f'simac/S_1.0/audio/{tid}.flac', audio, 44100)
        r.text(R / f'simac/S_1.0/annotations/beats/{tid}.beats', _beats(song, positions=False))
        r.add_index('simac', tid, audio=f'S_1.0/audio/{tid}.flac', beats=f'S_1.0/annotations/beats/{tid}.beats', tempo=None)
    mirdata('simac', 'data/real/simac.jsonl')

    # Harmonix Set: the user's own MP3s; 'time beat bar' beats; 'time label' segments ending in 'end'
    for i in range(3):
        song, audio = r.song(); stem = f'000{i + 1}_song'
        r.audio(R / f'harmonix/audio/{stem}.mp3', audio, 44100)
        bars = np.cumsum(song.positions == 1)
        r.text(R / f'harmonix/beats_and_downbeats/{stem}.txt', ''.join(f"{t:.3f}\t{int(p)}\t{max(int(b), 1)}\n" for t, p, b in zip(song.beats, song.positions, bars)))
        r.text(R / f'harmonix/segments/{stem}.txt', ''.join(f"{s:.3f}\t{HARMONIX_NAMES[l]}\n" for s, _, l in song.structure) + f"{song.duration:.3f}\tend\n")
    cmds.append(['manifest', 'folder', str(R / 'harmonix'), '--preset', 'harmonix', '--out', 'data/real/harmonix.jsonl'])

    # SMC (SMC_MIREX; no mirdata loader in 1.0): beats only, annotation names with tags after the stem
    for i in range(2):
        song, audio = r.song(); stem = f'SMC_00{i + 1}'
        r.audio(R / f'smc/SMC_MIREX_Audio/{stem}.wav', audio, 44100)
        r.text(R / f'smc/SMC_MIREX_Annotations_05_08_2014/{stem}_{i + 2}_1_1_a.txt', _beats(song, positions=False))
    cmds.append(['manifest', 'folder', str(R / 'smc'), '--audio', 'SMC_MIREX_Audio/*.wav', '--downbeat', 'SMC_MIREX_Annotations_05_08_2014/{stem}_*.txt',
                 '--out', 'data/real/smc.jsonl'])

    # GTZAN genre + GTZAN-Rhythm (mirdata gtzan_genre): 30-s excerpts at 22,050 Hz; the test set of downbeat
    for i, genre in enumerate(['blues', 'rock']):
        song, audio = r.song('test'); tid = f'{genre}.0000{i}'
        r.audio(R / f'gtzan_genre/gtzan_genre/genres/{genre}/{tid}.wav', audio, 22050, seconds=30.0)
        r.text(R / f'gtzan_genre/gtzan_tempo_beat-main/beats/gtzan_{genre}_0000{i}.beats', _beats(song, seconds=30.0))
        r.add_index('gtzan_genre', tid, audio=f'gtzan_genre/genres/{genre}/{tid}.wav', beats=f'gtzan_tempo_beat-main/beats/gtzan_{genre}_0000{i}.beats', tempo=None)
    mirdata('gtzan_genre', 'data/real/gtzan_genre.jsonl', 'test')

    # McGill Billboard (mirdata billboard): salami_chords.txt (a tonic, no mode; sections inline), full.lab
    # Billboard's first song is the Beatles' first (Isophonics is structure's test set), from another rip: 22.05 kHz, 3 dB down
    for i in range(2):
        song, audio = beatles_0 if i == 0 else r.song(); tid = str(3 + i); folder = f'McGill-Billboard/{int(tid):04d}'
        r.audio(R / f"billboard/audio/1960s/Artist {i}/Title {i}/audio.flac", audio * (0.7 if i == 0 else 1), 22050 if i == 0 else 44100)
        lines = [f"# title: Title {i}", f"# artist: Artist {i}", f"# metre: {song.meter}/4", f"# tonic: {PITCHES[song.tonic]}", ""]
        letters = {}
        for s, e, fn in song.structure:
            chords = [l for cs, ce, l in song.chords if s <= cs < e]
            if fn == 'silence': lines.append(f"{s:.6f}\tsilence"); continue
            letter = letters.setdefault(fn, 'ABCDEFG'[len(letters)])
            lines.append(f"{s:.6f}\t{letter}, {fn if fn != 'inst' else 'instrumental'}, | " + ' | '.join(chords or ['N']) + ' |')
        lines.append(f"{song.duration:.6f}\tend")
        r.text(R / 'billboard' / folder / 'salami_chords.txt', '\n'.join(lines) + '\n')
        r.text(R / 'billboard' / folder / 'full.lab', _lab(song.chords))
        r.add_index('billboard', tid, audio=f"audio/1960s/Artist {i}/Title {i}/audio.flac", salami=f'{folder}/salami_chords.txt',
                    lab_full=f'{folder}/full.lab', lab_majmin7=None, lab_majmin7inv=None, lab_majmin=None, lab_majmininv=None, bothchroma=None, tuning=None)
    mirdata('billboard', 'data/real/billboard.jsonl')

    # HookTheory: Hooktheory.json.gz; clips in beats with an alignment to their video's times; audio by YouTube id (ASSUMED)
    clips = {}
    for i, split in enumerate(['TRAIN', 'TRAIN', 'TEST', 'TEST']):
        song, audio = r.song(); yt = f'yt{i:09d}'
        r.audio(R / f'hooktheory/audio/{yt}.mp3', audio, 44100)
        spb = 60 / song.tempo
        halves = [(0.0, song.duration / 2), (song.duration / 2, song.duration)]
        for j, (a, b) in enumerate(halves):       # two clips of the one video, each aligned to its own span
            beat = lambda t: (t - a) / spb
            harmony = []
            for s, e, l in song.chords:
                if a <= s and e <= b and ':' in l:
                    root, q = l.split(':'); q = q.split('/')[0]
                    if q in HT_CHORDS:
                        harmony.append({'onset': beat(s), 'offset': beat(e), 'root_pitch_class': PITCHES.index(root) if root in PITCHES else 0,
                                        'root_position_intervals': HT_CHORDS[q], 'inversion': 0})
            scale = [2, 2, 1, 2, 2, 2] if song.mode == 'major' else [2, 1, 2, 2, 1, 2]
            if (i, j) == (1, 1): scale = [2, 1, 2, 2, 2, 1]                 # a dorian clip: masked for key
            align = {'beats': [0.0, beat(b)], 'times': [a, b]}
            clips[f'clip{i}{j}'] = {'split': split, 'tags': ['HARMONY', 'AUDIO_AVAILABLE'] + (['REFINED_ALIGNMENT'] if (i, j) != (0, 1) else []),
                                    'youtube': {'id': yt, 'url': f'https://youtu.be/{yt}'}, 'hooktheory': {'id': f'ht{i}{j}', 'song': f'Song {i}', 'artist': 'Artist'},
                                    'alignment': {'user': align, 'refined': align if (i, j) != (0, 1) else None} if (i, j) != (2, 1) else {'user': None, 'refined': None},
                                    'annotations': {'num_beats': int(beat(b)), 'meters': [{'beat': 0, 'beats_per_bar': song.meter, 'beat_unit': 4}],
                                                    'keys': [{'beat': 0, 'tonic_pitch_class': song.tonic, 'scale_degree_intervals': scale}],
                                                    'melody': [], 'harmony': harmony}}
    (R / 'hooktheory').mkdir(parents=True, exist_ok=True)
    with gzip.open(R / 'hooktheory/Hooktheory.json.gz', 'wt') as f: json.dump(clips, f)
    for split, name in (('TRAIN', 'hooktheory_train'), ('TEST', 'hooktheory_test')):
        cmds.append(['manifest', 'hooktheory', str(R / 'hooktheory/Hooktheory.json.gz'), '--audio-dir', str(R / 'hooktheory/audio'),
                     '--hooktheory-split', split, '--out', f'data/real/{name}.jsonl'])

    # USPOP (ASSUMED: Harte labs beside MP3s) and JayChou (ASSUMED: WAV + chordlab/), the chord test set
    for i in range(2):
        song, audio = r.song(); rel = f'artist_{i}/album/0{i + 1}-track'
        r.audio(R / f'uspop/{rel}.mp3', audio, 44100)
        r.text(R / f'uspop/{rel}.lab', _lab(song.chords, sep=' '))
    cmds.append(['manifest', 'folder', str(R / 'uspop'), '--audio', '**/*.mp3', '--chord', '{dir}/{stem}.lab', '--out', 'data/real/uspop.jsonl'])
    for i in range(2):
        song, audio = r.song('test'); stem = f'{i + 1:02d}'
        r.audio(R / f'jaychou/audio/{stem}.wav', audio, 44100)
        r.text(R / f'jaychou/chordlab/{stem}.lab', _lab(song.chords))
    cmds.append(['manifest', 'folder', str(R / 'jaychou'), '--audio', 'audio/*.wav', '--chord', 'chordlab/{stem}.lab', '--split', 'test', '--out', 'data/real/jaychou.jsonl'])

    # GiantSteps key (mirdata giantsteps_key): MP3, one-line key files; the test set of key
    for i in range(2):
        song, audio = r.song('test'); name = f'1008{i} Artist {i} - Track {i} (Original Mix)'; tid = str(i)
        r.audio(R / f'giantsteps_key/audio/{name}.mp3', audio, 44100)
        r.text(R / f'giantsteps_key/keys_gs+/{name}.txt', song.key)
        r.add_index('giantsteps_key', tid, audio=f'audio/{name}.mp3', key=f'keys_gs+/{name}.txt', meta=None)
    mirdata('giantsteps_key', 'data/real/giantsteps_key.jsonl', 'test')

    # SALAMI (mirdata salami): MP3; parsed/textfile{1,2}_{uppercase,lowercase,functions}.txt; one song by annotator 2 only
    for i in range(3):
        song, audio = r.song(); tid = str(2 + i)
        r.audio(R / f'salami/audio/{tid}.mp3', audio, 44100)
        n = 2 if i == 2 else 1
        base = f'salami-data-public-hierarchy-corrections/annotations/{tid}/parsed/textfile{n}'
        letters = {}
        upper = ''.join(f"{s:.6f}\t{'Silence' if l == 'silence' else letters.setdefault(l, 'ABCDEFG'[len(letters)])}\n" for s, _, l in song.structure)
        funcs = ''.join(f"{s:.6f}\t{SALAMI_NAMES[l] if k != 2 else 'no_function'}\n" for k, (s, _, l) in enumerate(song.structure))   # one no_function each
        for kind, text in (('uppercase', upper), ('lowercase', upper.lower()), ('functions', funcs)):
            r.text(R / 'salami' / f'{base}_{kind}.txt', text + f"{song.duration:.6f}\tEnd\n")
        files = {f'annotator_{a}_{k}': (f'{base}_{k}.txt' if a == n else None) for a in (1, 2) for k in ('uppercase', 'lowercase')}
        r.add_index('salami', tid, audio=f'audio/{tid}.mp3', **files)
    mirdata('salami', 'data/real/salami.jsonl')

    # the unlabeled pools: folders of audio (FLAC and MP3) in a broader style
    for pool in ('pool_a', 'pool_b'):
        for i in range(2):
            song, audio = r.song(pool); r.audio(R / f'{pool}/music/{i:03d}.{"flac" if i == 0 else "mp3"}', audio, 44100)
        cmds.append(['manifest', 'folder', str(R / pool), '--audio', 'music/*', '--split', 'unlabeled', '--out', f'data/real/{pool}.jsonl'])

    r.write_indexes()
    return cmds
