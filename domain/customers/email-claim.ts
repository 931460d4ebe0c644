import { uniqueClaimDecider } from '../shared/unique-claim.ts';
import { customerEmailTaken } from './errors.ts';

/** Email is unique per tenant, case-insensitively (the stream name carries the normalised email's hash). */
export const emailClaimDecider = uniqueClaimDecider(customerEmailTaken);
