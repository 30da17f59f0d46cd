/** How every number we show is rounded: to a tenth. */
export const toTenth = (n: number): number => Math.round(n * 10) / 10;

/**
 * A number's change against an earlier one, as the difference of the two numbers as shown (each
 * rounded to a tenth), so that the reader's own subtraction agrees with what is printed.
 */
export const shownChange = (now: number, before: number): number => toTenth(toTenth(now) - toTenth(before));
