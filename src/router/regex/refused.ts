/** A pattern translate.ts refuses; the message says why, for the diagnostic. */
export class Refused extends Error {}
