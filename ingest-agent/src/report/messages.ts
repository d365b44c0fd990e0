import type { ReportLanguage, Translated } from './language.js';

/**
 * Every text the filming team reads, in each report language. Placeholders are `{name}`; a key's
 * languages use the same placeholders (checked by the type below and by a unit test), so a caller
 * passes one set of parameters whatever the language. Wording is for people who film, not for
 * engineers: what is wrong, where, and what to do.
 *
 * Two tables: `LINES` are single lines of `_REPORT.txt`; `REFUSALS` are the problem/fix pairs a
 * delivery is refused (or warned) with. The English refusal texts are also what operators see in
 * logs, the CLI and the "Delivery Refused" event.
 */
const LINES = {
  'report.refused.title': {
    en: 'This delivery was NOT accepted. Nothing was uploaded for exercise "{exercise}".',
    ro: 'Această livrare NU a fost acceptată. Nu s-a încărcat nimic pentru exercițiul „{exercise}”.',
  },
  'report.refused.next': {
    en: 'Fix the problems below. The agent looks at the folder again as soon as something in it changes.',
    ro: 'Rezolvați problemele de mai jos. Agentul verifică din nou folderul imediat ce se schimbă ceva în el.',
  },
  'report.deferred.title': {
    en: 'This delivery is still being copied. Nothing was uploaded for exercise "{exercise}" yet.',
    ro: 'Această livrare încă se copiază. Deocamdată nu s-a încărcat nimic pentru exercițiul „{exercise}”.',
  },
  'report.deferred.next': {
    en: 'The agent tries again once the files stop changing.',
    ro: 'Agentul încearcă din nou după ce fișierele nu se mai schimbă.',
  },
  'report.done.title': {
    en: 'Exercise "{exercise}" was delivered.',
    ro: 'Exercițiul „{exercise}” a fost livrat.',
  },
  'report.done.titleUnchanged': {
    en: 'Exercise "{exercise}" was delivered (the bucket already had all of it).',
    ro: 'Exercițiul „{exercise}” a fost livrat (totul era deja încărcat de dinainte).',
  },
  'report.unknownExercise': { en: '(unknown)', ro: '(necunoscut)' },
  'report.section.renamed': { en: 'Renamed', ro: 'Redenumite' },
  'report.section.extracted': { en: 'Voice-over taken from the video', ro: 'Voce extrasă din video' },
  'report.section.transcoded': { en: 'Re-encoded', ro: 'Convertite' },
  'report.section.uploaded': { en: 'Uploaded', ro: 'Încărcate' },
  'report.section.skipped': { en: 'Already up to date (skipped)', ro: 'Deja la zi (sărite)' },
  'report.section.ignored': { en: 'Ignored', ro: 'Ignorate' },
  'report.warnings': { en: 'Worth fixing next time:', ro: 'De corectat data viitoare:' },
  'report.reason.folder': { en: 'The folder as a whole', ro: 'Folderul în ansamblu' },
  'report.reason.file': { en: 'File: {file}', ro: 'Fișier: {file}' },
  'report.reason.problem': { en: 'Problem: {problem}', ro: 'Problema: {problem}' },
  'report.reason.fix': { en: 'How to fix: {fix}', ro: 'Ce trebuie făcut: {fix}' },
  // Added to a delivered report later, when the catalog preview plays or fails (notices/notice-line.ts).
  'preview.ready': { en: 'Preview ready: {link}', ro: 'Previzualizare gata: {link}' },
  'preview.readyWithoutLink': {
    en: 'Preview ready: open the status page and play the newest render of "{exercise}"',
    ro: 'Previzualizare gata: deschideți pagina de stare și redați cea mai nouă randare pentru „{exercise}”',
  },
  'preview.failed': {
    en: 'Preview failed: the {language} preview of "{exercise}" could not be made ({detail}). The pipeline tries again by itself; if no "Preview ready" line follows, tell the operators.',
    ro: 'Previzualizarea a eșuat: previzualizarea în limba {language} pentru „{exercise}” nu a putut fi realizată ({detail}). Sistemul reîncearcă singur; dacă nu urmează un rând „Previzualizare gata”, anunțați operatorii.',
  },
  'preview.failedAll': {
    en: 'Preview failed: the preview of "{exercise}" could not be made ({detail}). The pipeline tries again by itself; if no "Preview ready" line follows, tell the operators.',
    ro: 'Previzualizarea a eșuat: previzualizarea pentru „{exercise}” nu a putut fi realizată ({detail}). Sistemul reîncearcă singur; dacă nu urmează un rând „Previzualizare gata”, anunțați operatorii.',
  },
} as const satisfies Record<string, Record<ReportLanguage, string>>;

const NAMING_EN = '"001 Detensionari Lombare - Intro.mp4", "… 5 Stanga.mp4" or "… 1-20 Dreapta.mp3"';
const NAMING_RO = '„001 Detensionari Lombare - Intro.mp4”, „… 5 Stanga.mp4” sau „… 1-20 Dreapta.mp3”';
const DAMAGED_FIX_EN = 'Export or copy the file again from the original and check that it plays';
const DAMAGED_FIX_RO = 'Exportați sau copiați din nou fișierul din original și verificați că pornește';

const REFUSALS = {
  emptyFile: {
    en: { problem: 'the file is empty (0 bytes)', fix: 'Copy the file into the folder again' },
    ro: { problem: 'fișierul este gol (0 octeți)', fix: 'Copiați din nou fișierul în folder' },
  },
  containerNotAccepted: {
    en: {
      problem: '.{ext} files are not accepted; {kinds} must be {allowed}',
      fix: 'Export it again as .{container}',
    },
    ro: {
      problem: 'fișierele .{ext} nu sunt acceptate; {kinds} trebuie să fie {allowed}',
      fix: 'Exportați-l din nou ca .{container}',
    },
  },
  noExtension: {
    en: {
      problem: 'the file has no extension; {kinds} must be {allowed}',
      fix: 'Export it again as .{container}',
    },
    ro: {
      problem: 'fișierul nu are extensie; {kinds} trebuie să fie {allowed}',
      fix: 'Exportați-l din nou ca .{container}',
    },
  },
  badVariant: {
    en: {
      problem: 'the name marks take {variant}, but takes are numbered from 1 to {max}',
      fix: 'End the name with " v2", " v3" … for extra takes, or with nothing for the first take',
    },
    ro: {
      problem: 'numele indică dubla {variant}, dar dublele se numerotează de la 1 la {max}',
      fix: 'Terminați numele cu „ v2”, „ v3” … pentru dublele în plus, sau cu nimic pentru prima dublă',
    },
  },
  badLanguage: {
    en: {
      problem: 'the name gives the language "{language}", which is not a language code',
      fix: 'Use a language code such as "ro", "en" or "pt-BR" in the name',
    },
    ro: {
      problem: 'numele indică limba „{language}”, care nu este un cod de limbă',
      fix: 'Scrieți în nume un cod de limbă, de exemplu „ro”, „en” sau „pt-BR”',
    },
  },
  nestedManifest: {
    en: {
      problem: 'a manifest.json inside a sub-folder is not read',
      fix: 'Move manifest.json to the top of the exercise folder',
    },
    ro: {
      problem: 'un manifest.json aflat într-un subfolder nu este citit',
      fix: 'Mutați manifest.json direct în folderul exercițiului',
    },
  },
  unmatchedName: {
    en: {
      problem:
        'the name does not say which part of the exercise this is (intro, pauza, outro, left or right)',
      fix: `Rename it like ${NAMING_EN}, or remove it from the folder`,
    },
    ro: {
      problem: 'din nume nu reiese ce parte a exercițiului este (intro, pauză, outro, stânga sau dreapta)',
      fix: `Redenumiți-l după modelul ${NAMING_RO}, sau scoateți-l din folder`,
    },
  },
  sameTarget: {
    en: {
      problem: '{names} would all become {target}',
      fix: 'Keep only one of them, or mark the other takes by ending their names with " v2", " v3" …',
    },
    ro: {
      problem: '{names} ar deveni toate {target}',
      fix: 'Păstrați doar unul dintre ele, sau marcați celelalte duble terminându-le numele cu „ v2”, „ v3” …',
    },
  },
  nothingToIngest: {
    en: {
      problem: 'the folder holds no videos or voice-over files',
      fix: `Copy the exercise's files (${NAMING_EN}) into the folder`,
    },
    ro: {
      problem: 'folderul nu conține niciun video și niciun fișier audio',
      fix: `Copiați în folder fișierele exercițiului (${NAMING_RO})`,
    },
  },
  manifestExerciseInvalid: {
    en: {
      problem: '"exercise" is {value}, which is not a valid exercise name',
      fix: 'Write the exercise as lowercase letters and digits in words joined by single hyphens, such as "detensionari-lombare" (at most {max} characters), or remove the field to use the folder name',
    },
    ro: {
      problem: '„exercise” este {value}, care nu este un nume de exercițiu valid',
      fix: 'Scrieți exercițiul cu litere mici și cifre, cuvintele legate prin câte o cratimă, de exemplu „detensionari-lombare” (cel mult {max} caractere), sau ștergeți câmpul ca să se folosească numele folderului',
    },
  },
  folderSlugInvalid: {
    en: {
      problem: 'the agent config maps folder {folder} to {value}, which is not a valid exercise name',
      fix: 'Correct folderSlugs in the agent config to lowercase letters and digits in words joined by single hyphens, such as "detensionari-lombare"',
    },
    ro: {
      problem:
        'configurația agentului dă folderului {folder} numele {value}, care nu este un nume de exercițiu valid',
      fix: 'Cereți corectarea lui folderSlugs din configurația agentului: litere mici și cifre, cuvintele legate prin câte o cratimă, de exemplu „detensionari-lombare”',
    },
  },
  folderNameNoSlug: {
    en: {
      problem: 'the folder name {folder} does not give an exercise name',
      fix: 'Rename the folder to the exercise title (for example "001 Detensionari Lombare"), or put a manifest.json with "exercise" in it',
    },
    ro: {
      problem: 'din numele folderului {folder} nu se poate afla numele exercițiului',
      fix: 'Redenumiți folderul cu titlul exercițiului (de exemplu „001 Detensionari Lombare”), sau puneți în el un manifest.json cu „exercise”',
    },
  },
  manifestField: {
    en: {
      problem: '{field}: {detail}',
      fix: 'Correct this field in manifest.json, or remove it to use the default',
    },
    ro: {
      problem: 'câmpul {field}: {detail}',
      fix: 'Corectați acest câmp în manifest.json, sau ștergeți-l ca să se folosească valoarea implicită',
    },
  },
  builtManifestInvalid: {
    en: {
      problem: 'the manifest built for this exercise is invalid: {field}: {detail}',
      fix: 'Correct manifestDefaults in the agent config, or set this field in a manifest.json in the folder',
    },
    ro: {
      problem: 'manifestul alcătuit pentru acest exercițiu nu este valid: {field}: {detail}',
      fix: 'Cereți corectarea lui manifestDefaults din configurația agentului, sau scrieți acest câmp într-un manifest.json în folder',
    },
  },
  manifestNotJson: {
    en: {
      problem: 'manifest.json is not valid JSON ({detail})',
      fix: 'Correct the file (check commas and quotes), or remove it to use the defaults',
    },
    ro: {
      problem: 'manifest.json nu este JSON valid ({detail})',
      fix: 'Corectați fișierul (verificați virgulele și ghilimelele), sau ștergeți-l ca să se folosească valorile implicite',
    },
  },
  unreadableFile: {
    en: {
      problem: 'the file cannot be read ({detail})',
      fix: 'Copy the file into the folder again, and make sure the agent’s user may read it',
    },
    ro: {
      problem: 'fișierul nu poate fi citit ({detail})',
      fix: 'Copiați din nou fișierul în folder și verificați că agentul are drept de citire asupra lui',
    },
  },
  stillCopying: {
    en: {
      problem: 'the file changed while the agent was reading the folder (it is probably still being copied)',
      fix: 'Wait until the copy has finished; the agent tries again once nothing changes any more',
    },
    ro: {
      problem: 'fișierul s-a schimbat în timp ce agentul citea folderul (probabil încă se copiază)',
      fix: 'Așteptați să se termine copierea; agentul încearcă din nou când nu se mai schimbă nimic',
    },
  },
  extractedVoiceEmpty: {
    en: {
      problem: "the {slot} voice-over taken from this video's sound is empty or unreadable",
      fix: 'Export the video again with its sound, or deliver the {slot} voice-over as a separate .mp3',
    },
    ro: {
      problem: 'vocea pentru {slot} extrasă din sunetul acestui video este goală sau nu poate fi citită',
      fix: 'Exportați din nou videoul cu sunet, sau livrați vocea pentru {slot} separat, ca .mp3',
    },
  },
  mediaUnreadable: {
    en: {
      problem: 'the {noun} cannot be read: it is damaged, incomplete or not a media file{detail}',
      fix: DAMAGED_FIX_EN,
    },
    ro: {
      problem:
        'fișierul {noun} nu poate fi citit: este deteriorat, incomplet sau nu este un fișier media{detail}',
      fix: DAMAGED_FIX_RO,
    },
  },
  notRealContainer: {
    en: {
      problem: 'the file is not a real {allowed} file (its content is "{format}")',
      fix: 'Export it again as .{container} instead of renaming another file',
    },
    ro: {
      problem: 'fișierul nu este cu adevărat un fișier {allowed} (conținutul lui este „{format}”)',
      fix: 'Exportați-l din nou ca .{container}, în loc să redenumiți alt fișier',
    },
  },
  mediaIncomplete: {
    en: {
      problem: 'the {noun} is incomplete or damaged (the copy may have stopped early): {detail}',
      fix: 'Copy it again from the original (camera card or export) and check that it plays to the end',
    },
    ro: {
      problem:
        'fișierul {noun} este incomplet sau deteriorat (poate copierea s-a oprit prea devreme): {detail}',
      fix: 'Copiați-l din nou din original (cardul camerei sau exportul) și verificați că merge până la capăt',
    },
  },
  noPicture: {
    en: {
      problem: 'the file has no picture (no video stream)',
      fix: 'Export the video again with its picture',
    },
    ro: {
      problem: 'fișierul nu are imagine (nicio pistă video)',
      fix: 'Exportați din nou videoul, cu imagine',
    },
  },
  noSound: {
    en: {
      problem: 'the voice-over has no sound (no audio stream)',
      fix: 'Export the recording again as an mp3 with sound',
    },
    ro: {
      problem: 'fișierul audio nu are sunet (nicio pistă audio)',
      fix: 'Exportați din nou înregistrarea ca mp3, cu sunet',
    },
  },
  noLength: {
    en: { problem: 'the {noun} has no length (0 seconds)', fix: DAMAGED_FIX_EN },
    ro: { problem: 'fișierul {noun} nu are durată (0 secunde)', fix: DAMAGED_FIX_RO },
  },
  framingVideoSilent: {
    en: {
      problem: 'the video has no sound, so the {slot} voice-over cannot be taken from it',
      fix: 'Export the video again with its sound, or deliver the {slot} voice-over as a separate .mp3 named like the video',
    },
    ro: {
      problem: 'videoul nu are sunet, așa că vocea pentru {slot} nu poate fi extrasă din el',
      fix: 'Exportați din nou videoul cu sunet, sau livrați vocea pentru {slot} separat, ca .mp3 numit la fel ca videoul',
    },
  },
  missingVideo: {
    en: { problem: 'there is no {part} video', fix: 'Add the {part} video to the folder' },
    ro: { problem: 'lipsește videoul pentru {part}', fix: 'Adăugați în folder videoul pentru {part}' },
  },
  missingRepVoice: {
    en: {
      problem: 'there is no {part} voice-over in language "{language}"',
      fix: 'Add the counting recording (1-{counts}) for the {part} as .mp3',
    },
    ro: {
      problem: 'lipsește vocea pentru {part} în limba „{language}”',
      fix: 'Adăugați înregistrarea numărătorii (1-{counts}) pentru {part}, ca .mp3',
    },
  },
  missingFramingVoice: {
    en: {
      problem: 'there is no {part} voice-over in language "{language}"',
      fix: 'Add the {part} voice-over as .mp3, or deliver the {part} video with its sound',
    },
    ro: {
      problem: 'lipsește vocea pentru {part} în limba „{language}”',
      fix: 'Adăugați vocea pentru {part} ca .mp3, sau livrați videoul pentru {part} cu sunet',
    },
  },
  countingTooShort: {
    en: {
      problem:
        'the counting lasts {duration} s, but {counts} counts at the pace of the rep videos ({pace} s per rep) need {needed} s',
      fix: 'Record the count 1-{counts} at the pace of the rep videos, or set counts_per_audio_master in manifest.json to what was recorded',
    },
    ro: {
      problem:
        'numărătoarea durează {duration} s, dar {counts} numărări în ritmul videourilor cu repetări ({pace} s pe repetare) au nevoie de {needed} s',
      fix: 'Înregistrați numărătoarea 1-{counts} în ritmul videourilor cu repetări, sau scrieți în manifest.json la counts_per_audio_master câte s-au înregistrat',
    },
  },
  videoProfileDiffers: {
    en: {
      problem:
        'the video is {profile} while the others are {majority}; exercises built from it are slower to render',
      fix: 'Export it like the others ({majority}), or set "normalize": true in the agent config to convert it automatically',
    },
    ro: {
      problem:
        'videoul este {profile}, iar celelalte sunt {majority}; exercițiile făcute din el se generează mai încet',
      fix: 'Exportați-l la fel ca pe celelalte ({majority}), sau cereți să se pună "normalize": true în configurația agentului, ca să fie convertit automat',
    },
  },
} as const satisfies Record<string, Record<ReportLanguage, { problem: string; fix: string }>>;

/** `{a} and {b}` → `'a' | 'b'` */
type Placeholders<S> = S extends `${string}{${infer Name}}${infer Rest}` ? Name | Placeholders<Rest> : never;

/** A parameter value: text as is, a number, a list (joined with "or" in the language), or text per language. */
export type ParamValue = string | number | readonly string[] | Translated;

type ParamsOf<Names extends string> = [Names] extends [never]
  ? Record<never, never>
  : Record<Names, ParamValue>;

export type LineKey = keyof typeof LINES;
export type LineParams<K extends LineKey> = ParamsOf<Placeholders<(typeof LINES)[K]['en']>>;

export type RefusalKey = keyof typeof REFUSALS;
type RefusalTexts<K extends RefusalKey> = (typeof REFUSALS)[K]['en'];
export type RefusalParams<K extends RefusalKey> = ParamsOf<
  Placeholders<RefusalTexts<K>['problem'] | RefusalTexts<K>['fix']>
>;

/** Fails to compile when a key's Romanian text uses other placeholders than its English one. */
type SameNames<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
type LineCheck = {
  [K in LineKey]: SameNames<Placeholders<(typeof LINES)[K]['en']>, Placeholders<(typeof LINES)[K]['ro']>>;
}[LineKey];
type RefusalCheck = {
  [K in RefusalKey]: SameNames<
    Placeholders<(typeof REFUSALS)[K]['en'][keyof (typeof REFUSALS)[K]['en']]>,
    Placeholders<(typeof REFUSALS)[K]['ro'][keyof (typeof REFUSALS)[K]['ro']]>
  >;
}[RefusalKey];
const languagesAgree: [LineCheck, RefusalCheck] extends [true, true] ? true : never = true;
void languagesAgree;

const OR: Translated = { en: 'or', ro: 'sau' };

function isTranslated(value: ParamValue): value is Translated {
  return typeof value === 'object' && !Array.isArray(value);
}

function formatValue(value: ParamValue, language: ReportLanguage): string {
  if (typeof value === 'string') return value;
  // Romanian writes a decimal comma: 2,5 s.
  if (typeof value === 'number') return language === 'ro' ? String(value).replace('.', ',') : String(value);
  if (isTranslated(value)) return value[language];
  const items = value as readonly string[];
  if (items.length <= 1) return items.join('');
  return `${items.slice(0, -1).join(', ')} ${OR[language]} ${items.at(-1)}`;
}

/** Fills `{name}` placeholders; an unknown placeholder stays visible rather than vanishing. */
function fill(
  template: string,
  params: Readonly<Record<string, ParamValue>>,
  language: ReportLanguage,
): string {
  return template.replace(/\{(\w+)\}/g, (whole, name: string) => {
    const value = params[name];
    return value === undefined ? whole : formatValue(value, language);
  });
}

type ArgsFor<P> = keyof P extends never ? [params?: P] : [params: P];

/** One report line in the given language. */
export function line<K extends LineKey>(
  language: ReportLanguage,
  key: K,
  ...[params]: ArgsFor<LineParams<K>>
): string {
  return fill(LINES[key][language], (params ?? {}) as Record<string, ParamValue>, language);
}

/** What a refusal reason says, kept with the reason so the report can be written in any language. */
export interface ReasonText {
  key: RefusalKey;
  params: Readonly<Record<string, ParamValue>>;
}

/** A refusal's problem and fix in the given language. */
export function refusalText(language: ReportLanguage, text: ReasonText): { problem: string; fix: string } {
  const texts = REFUSALS[text.key][language];
  return { problem: fill(texts.problem, text.params, language), fix: fill(texts.fix, text.params, language) };
}

/** For the test that every key exists in every language with the same placeholders. */
export const MESSAGE_TABLES = { lines: LINES, refusals: REFUSALS } as const;

/** The `{name}` placeholders of a template, sorted. */
export function placeholdersOf(template: string): string[] {
  return [...new Set([...template.matchAll(/\{(\w+)\}/g)].map((found) => found[1] ?? ''))].sort();
}
