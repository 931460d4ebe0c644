// PCI DSS: the API never accepts payment card numbers (PANs), in any field. A PAN is 13–19
// digits that passes the Luhn check and starts with 2–6 (every card network: Mastercard 2/5,
// Amex/Diners/JCB 3, Visa 4, Discover/UnionPay/Maestro 6). The prefix rule keeps millisecond
// timestamps (1…) and most references out.
//
// People write card numbers in many ways, so the text is first brought to one form: NFKC (full-width
// digits, dots, dashes and spaces become ASCII), then every other Unicode decimal digit (Arabic-Indic,
// Devanagari, ...) becomes its ASCII digit. Digit groups may then be joined by any run of separators:
// spaces or tabs, dots, slashes, any dash, the minus sign, or invisible format characters (zero-width
// space, soft hyphen). Line breaks and other characters (letters, ':', ',', '+') end a run.

const SEP = /[ \t./\p{Pd}\u2212\p{Cf}]/u.source;
// A maximal run of digit groups joined by separator runs.
const RUN = new RegExp(`[0-9]+(?:${SEP}+[0-9]+)*`, 'gu');
const SEPS = new RegExp(`${SEP}+`, 'u');
// Anything beyond printable ASCII, tab and line breaks (the common case skips NFKC).
const NON_ASCII = /[^ -~\t\n\r]/;
const NON_ASCII_DIGIT = /(?![0-9])\p{Nd}/gu;
const ND = /^\p{Nd}$/u;

const isDigit = (cp: number) => cp >= 0 && ND.test(String.fromCodePoint(cp));

/**
 * The ASCII digit of a Unicode decimal digit. Unicode encodes each script's digits as contiguous runs
 * 0–9 (some scripts' runs adjoin, e.g. the mathematical digits), so the value is the distance from the
 * first digit of the block, modulo 10.
 */
export function asciiDigit(ch: string): string {
  const cp = ch.codePointAt(0)!;
  let start = cp;
  while (isDigit(start - 1)) start--;
  return String((cp - start) % 10);
}

/** The text with compatibility forms folded (NFKC) and every decimal digit in ASCII. */
export function normaliseDigits(text: string): string {
  if (!NON_ASCII.test(text)) return text;
  return text.normalize('NFKC').replace(NON_ASCII_DIGIT, asciiDigit);
}

export function luhnValid(digits: string): boolean {
  let sum = 0;
  let double = false;
  for (let i = digits.length - 1; i >= 0; i--) {
    let d = digits.charCodeAt(i) - 48;
    if (double) {
      d *= 2;
      if (d > 9) d -= 9;
    }
    sum += d;
    double = !double;
  }
  return sum % 10 === 0;
}

/**
 * True when the text holds something that looks like a card number: within a run of digit groups,
 * consecutive whole groups with 13–19 digits in all that pass Luhn ("4111 1111 1111 1111",
 * "qty 2 4111-1111-1111-1111", "4111.1111.1111.1111", full-width "４１１１…"). A single unseparated
 * group longer than 19 digits (a long order reference) is never cut into windows, so it does not
 * trip the check by chance.
 */
export function containsCardNumber(text: string): boolean {
  // Every digit form is at least one UTF-16 unit: fewer than 13 units cannot hold 13 digits.
  if (text.length < 13) return false;
  for (const m of normaliseDigits(text).matchAll(RUN)) {
    const groups = m[0].split(SEPS);
    for (let i = 0; i < groups.length; i++) {
      let digits = '';
      for (let j = i; j < groups.length && digits.length + groups[j]!.length <= 19; j++) {
        digits += groups[j];
        if (digits.length >= 13 && digits[0]! >= '2' && digits[0]! <= '6' && luhnValid(digits)) return true;
      }
    }
  }
  return false;
}

/** JSON pointers of every string (value or key) in `value` that contains a card number. */
export function cardDataPaths(value: unknown, path = ''): string[] {
  if (typeof value === 'string') return containsCardNumber(value) ? [path || '/'] : [];
  if (Array.isArray(value)) return value.flatMap((v, i) => cardDataPaths(v, `${path}/${i}`));
  if (value && typeof value === 'object') {
    return Object.entries(value).flatMap(([k, v]) => {
      const here = `${path}/${k.replace(/~/g, '~0').replace(/\//g, '~1')}`;
      // A key holding a PAN is reported masked (every digit form): the answer must not echo the number back.
      if (containsCardNumber(k)) return [`${path}/${k.replace(/\p{N}/gu, '*')}`];
      return cardDataPaths(v, here);
    });
  }
  return [];
}
