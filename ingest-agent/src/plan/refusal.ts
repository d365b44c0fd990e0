/**
 * Why a delivery is refused, in the filming team's terms: the file (relative to the delivery
 * folder) when one is at fault, what is wrong, and what to do about it. Same shape as the
 * `reasons` of the "Delivery Refused" event.
 */
export interface RefusalReason {
  file?: string;
  problem: string;
  fix: string;
}
