/**
 * Which writing systems a name mixes, after Unicode UTS #39 ("Unicode Security Mechanisms"),
 * section 5.1 (the resolved script set, with Script_Extensions and the Han augmentation) and 5.2
 * (restriction levels). A name passes at the "Moderately Restrictive" level: one script; or Latin
 * with Han, Hiragana and Katakana (Japanese), with Han and Bopomofo, or with Han and Hangul
 * (Korean); or Latin with one other script except Cyrillic, Greek and Cherokee, whose letters
 * copy Latin's shapes (`Аna` with a Cyrillic `А` reads as `Ana`). Common and Inherited characters
 * (digits, punctuation, emoji, combining marks) go with any script. docs/security.md, "Names".
 */

/**
 * Every Script value of Unicode 15 that has letters (ECMAScript `\p{Script_Extensions=…}` takes
 * them all). A letter of none of them counts as a script of its own.
 */
const SCRIPTS = [
  'Adlam',
  'Ahom',
  'Anatolian_Hieroglyphs',
  'Arabic',
  'Armenian',
  'Avestan',
  'Balinese',
  'Bamum',
  'Bassa_Vah',
  'Batak',
  'Bengali',
  'Bhaiksuki',
  'Bopomofo',
  'Brahmi',
  'Braille',
  'Buginese',
  'Buhid',
  'Canadian_Aboriginal',
  'Carian',
  'Caucasian_Albanian',
  'Chakma',
  'Cham',
  'Cherokee',
  'Chorasmian',
  'Coptic',
  'Cuneiform',
  'Cypriot',
  'Cypro_Minoan',
  'Cyrillic',
  'Deseret',
  'Devanagari',
  'Dives_Akuru',
  'Dogra',
  'Duployan',
  'Egyptian_Hieroglyphs',
  'Elbasan',
  'Elymaic',
  'Ethiopic',
  'Georgian',
  'Glagolitic',
  'Gothic',
  'Grantha',
  'Greek',
  'Gujarati',
  'Gunjala_Gondi',
  'Gurmukhi',
  'Han',
  'Hangul',
  'Hanifi_Rohingya',
  'Hanunoo',
  'Hatran',
  'Hebrew',
  'Hiragana',
  'Imperial_Aramaic',
  'Inscriptional_Pahlavi',
  'Inscriptional_Parthian',
  'Javanese',
  'Kaithi',
  'Kannada',
  'Katakana',
  'Kawi',
  'Kayah_Li',
  'Kharoshthi',
  'Khitan_Small_Script',
  'Khmer',
  'Khojki',
  'Khudawadi',
  'Lao',
  'Latin',
  'Lepcha',
  'Limbu',
  'Linear_A',
  'Linear_B',
  'Lisu',
  'Lycian',
  'Lydian',
  'Mahajani',
  'Makasar',
  'Malayalam',
  'Mandaic',
  'Manichaean',
  'Marchen',
  'Masaram_Gondi',
  'Medefaidrin',
  'Meetei_Mayek',
  'Mende_Kikakui',
  'Meroitic_Cursive',
  'Meroitic_Hieroglyphs',
  'Miao',
  'Modi',
  'Mongolian',
  'Mro',
  'Multani',
  'Myanmar',
  'Nabataean',
  'Nag_Mundari',
  'Nandinagari',
  'New_Tai_Lue',
  'Newa',
  'Nko',
  'Nushu',
  'Nyiakeng_Puachue_Hmong',
  'Ogham',
  'Ol_Chiki',
  'Old_Hungarian',
  'Old_Italic',
  'Old_North_Arabian',
  'Old_Permic',
  'Old_Persian',
  'Old_Sogdian',
  'Old_South_Arabian',
  'Old_Turkic',
  'Old_Uyghur',
  'Oriya',
  'Osage',
  'Osmanya',
  'Pahawh_Hmong',
  'Palmyrene',
  'Pau_Cin_Hau',
  'Phags_Pa',
  'Phoenician',
  'Psalter_Pahlavi',
  'Rejang',
  'Runic',
  'Samaritan',
  'Saurashtra',
  'Sharada',
  'Shavian',
  'Siddham',
  'SignWriting',
  'Sinhala',
  'Sogdian',
  'Sora_Sompeng',
  'Soyombo',
  'Sundanese',
  'Syloti_Nagri',
  'Syriac',
  'Tagalog',
  'Tagbanwa',
  'Tai_Le',
  'Tai_Tham',
  'Tai_Viet',
  'Takri',
  'Tamil',
  'Tangsa',
  'Tangut',
  'Telugu',
  'Thaana',
  'Thai',
  'Tibetan',
  'Tifinagh',
  'Tirhuta',
  'Toto',
  'Ugaritic',
  'Vai',
  'Vithkuqi',
  'Wancho',
  'Warang_Citi',
  'Yezidi',
  'Yi',
  'Zanabazar_Square',
] as const;

/** Scripts whose letters copy Latin's shapes: never mixed with Latin (UTS #39 5.2, level 4). */
const LOOK_LIKE_LATIN = new Set(['Cyrillic', 'Greek', 'Cherokee']);
/** UTS #39 5.1: Han, Hiragana and Katakana read as Japanese; Han and Hangul as Korean; Bopomofo. */
const AUGMENTED: Readonly<Record<string, readonly string[]>> = {
  Han: ['Han', 'Jpan', 'Kore', 'Hanb'],
  Hiragana: ['Hiragana', 'Jpan'],
  Katakana: ['Katakana', 'Jpan'],
  Hangul: ['Hangul', 'Kore'],
  Bopomofo: ['Bopomofo', 'Hanb'],
};
const HIGHLY_RESTRICTIVE: readonly ReadonlySet<string>[] = [
  new Set(['Latin', 'Han', 'Hiragana', 'Katakana']),
  new Set(['Latin', 'Han', 'Bopomofo']),
  new Set(['Latin', 'Han', 'Hangul']),
];

const COMMON = /^[\p{Script=Common}\p{Script=Inherited}]$/u;
const tests = SCRIPTS.map((name) => ({
  name,
  script: new RegExp(`^\\p{Script=${name}}$`, 'u'),
  extensions: new RegExp(`^\\p{Script_Extensions=${name}}$`, 'u'),
}));

interface CharScripts {
  /** The character's own Script, or undefined for Common and Inherited. */
  readonly script?: string;
  /** Script_Extensions, augmented; undefined means "any script". */
  readonly extensions?: ReadonlySet<string>;
}

/** What each code point seen so far is, so each is worked out once (names repeat). */
const known = new Map<string, CharScripts>();

function scriptsOf(char: string): CharScripts {
  let found = known.get(char);
  if (found !== undefined) return found;
  if (COMMON.test(char)) found = {};
  else {
    const script = tests.find((t) => t.script.test(char))?.name ?? `U+${char.codePointAt(0)}`;
    const extensions = new Set<string>();
    for (const t of tests)
      if (t.extensions.test(char)) for (const s of AUGMENTED[t.name] ?? [t.name]) extensions.add(s);
    if (extensions.size === 0) extensions.add(script);
    found = { script, extensions };
  }
  if (known.size < 65_536) known.set(char, found);
  return found;
}

/**
 * Why a name mixes scripts in a way that can make it look like another, as a sentence, or
 * undefined when it does not.
 */
export function mixedScriptProblem(name: string): string | undefined {
  // eslint-disable-next-line no-control-regex -- ASCII is Latin and Common only
  if (/^[\u0000-\u007f]*$/.test(name)) return undefined;
  let resolved: Set<string> | undefined;
  const scripts = new Set<string>();
  for (const char of name) {
    const { script, extensions } = scriptsOf(char);
    if (script === undefined || extensions === undefined) continue;
    scripts.add(script);
    resolved =
      resolved === undefined
        ? new Set(extensions)
        : new Set([...resolved].filter((s) => extensions.has(s)));
  }
  if (resolved === undefined || resolved.size > 0) return undefined;
  if (HIGHLY_RESTRICTIVE.some((allowed) => [...scripts].every((s) => allowed.has(s))))
    return undefined;
  const others = [...scripts].filter((s) => s !== 'Latin');
  if (scripts.has('Latin') && others.length === 1 && !LOOK_LIKE_LATIN.has(others[0]))
    return undefined;
  const list = [...scripts].sort().join(', ').replace(/_/g, ' ');
  return `The name mixes letters of ${list}, which can make it look like another name; write it in one script.`;
}
