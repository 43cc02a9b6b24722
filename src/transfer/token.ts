/**
 * The idempotency token rule. It is a promise to operators, written in the README:
 *
 *   token = "sot1-" + hex(sha256(JSON.stringify(["sot1", runId, productId, owner, launchRole])))[0..64]
 *
 * with every field trimmed and an absent value written as "". JSON of an array is an unambiguous
 * encoding (no field can bleed into the next), so two rows collide only if they name the same
 * product, owner and launch role under the same run id. Extra CSV columns and the line number are
 * deliberately left out: an edited CSV (reordered, commented, with a ticket column added) keeps
 * the same tokens, so a rerun is recognised by the checkpoint and deduplicated by the API.
 *
 * The result is 69 characters of [a-z0-9-], inside the API's pattern `[a-zA-Z0-9][a-zA-Z0-9_-]*`
 * and its limit of 128. Changing anything here is a new scheme: bump TOKEN_SCHEME, because a
 * checkpoint written under the old scheme must not be resumed by the new one.
 */
import { createHash } from 'node:crypto';

export const TOKEN_SCHEME = 'sot1';

export interface TokenFields {
  readonly provisionedProductId: string;
  readonly newOwner: string | undefined;
  readonly launchRole: string | undefined;
}

/** The row's own part of every token: scheme, run id, product, owner, launch role. */
function rowMaterial(runId: string, fields: TokenFields): string[] {
  return [TOKEN_SCHEME, runId.trim(), fields.provisionedProductId.trim(), (fields.newOwner ?? '').trim(), (fields.launchRole ?? '').trim()];
}

function tokenOf(material: readonly string[]): string {
  return `${TOKEN_SCHEME}-${createHash('sha256').update(JSON.stringify(material), 'utf8').digest('hex')}`;
}

export function deriveIdempotencyToken(runId: string, fields: TokenFields): string {
  return tokenOf(rowMaterial(runId, fields));
}

/**
 * `run --reconcile`: the token of a row whose product drifted from its target. The material adds
 * the state the product was found in, its newest record included (every change makes one), so a
 * new drift always gets a new token and the service's replay of an earlier correction can never
 * hide it, while a rerun that finds the same drift resends the same token:
 *
 *   token = "sot1-" + hex(sha256(JSON.stringify(["sot1", runId, productId, owner, launchRole,
 *                                                "found", foundOwner, foundLaunchRole, foundLastRecordId])))
 */
export function deriveReconcileToken(
  runId: string,
  fields: TokenFields,
  found: { readonly owner: string; readonly launchRole: string; readonly lastRecordId: string },
): string {
  return tokenOf([...rowMaterial(runId, fields), 'found', found.owner, found.launchRole, found.lastRecordId]);
}

/** The API's own constraint on IdempotencyToken, matched against the whole value. */
export const IDEMPOTENCY_TOKEN_PATTERN = /^[a-zA-Z0-9][a-zA-Z0-9_-]*$/;
export const IDEMPOTENCY_TOKEN_MAX_LENGTH = 128;

/** `--run-id` becomes part of every token; keep it short and printable so logs stay readable. */
export const RUN_ID_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;
