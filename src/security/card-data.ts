// PCI DSS: the API never accepts payment card numbers (PANs), in any field. A PAN is 13–19
// digits, optionally separated by single spaces or dashes, that passes the Luhn check and starts
// with 2–6 (every card network: Mastercard 2/5, Amex/Diners/JCB 3, Visa 4, Discover/UnionPay/
// Maestro 6). The prefix rule keeps millisecond timestamps (1…) and most references out.

// A maximal run of digit groups joined by single spaces or dashes.
const RUN = /[0-9]+(?:[ -][0-9]+)*/g;

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
 * "qty 2 4111-1111-1111-1111"). A single unseparated group longer than 19 digits (a long order
 * reference) is never cut into windows, so it does not trip the check by chance.
 */
export function containsCardNumber(text: string): boolean {
  if (text.length < 13) return false;
  for (const m of text.matchAll(RUN)) {
    const groups = m[0].split(/[ -]/);
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
      // A key holding a PAN is reported masked: the answer must not echo the number back.
      if (containsCardNumber(k)) return [`${path}/${k.replace(/[0-9]/g, '*')}`];
      return cardDataPaths(v, here);
    });
  }
  return [];
}
