/**
 * TIP-403 transfer policies, one per token: `open` (everyone), `allowlist` (only members) or
 * `blocklist` (everyone but members). The token's issuer manages the mode and the member list.
 */
import { CodecError, asBytes, preview, type Type } from '../../chain/index.js';

export const POLICY_MODES = ['open', 'allowlist', 'blocklist'] as const;
export type PolicyMode = (typeof POLICY_MODES)[number];

/** A policy mode: one byte on the wire (0 open, 1 allowlist, 2 blocklist), its name in JSON. */
export const policyModeType: Type<PolicyMode> = {
  name: 'policyMode',
  encode(v) {
    const i = POLICY_MODES.indexOf(v);
    if (i < 0) throw new CodecError(`unknown policy mode ${preview(v)} (modes: ${POLICY_MODES.join(', ')})`);
    return i === 0 ? new Uint8Array(0) : new Uint8Array([i]);
  },
  decode(item, path = '') {
    const b = asBytes(item, path);
    const i = b.length === 0 ? 0 : b.length === 1 && b[0] !== 0 ? b[0]! : -1;
    const mode = POLICY_MODES[i];
    if (mode === undefined) throw new CodecError(`policy mode must be 0 (open), 1 (allowlist) or 2 (blocklist)`, path);
    return mode;
  },
  fromJson(v, path = '') {
    if (typeof v === 'string' && (POLICY_MODES as readonly string[]).includes(v)) return v as PolicyMode;
    throw new CodecError(`expected one of ${POLICY_MODES.join(', ')}, got ${preview(v)}`, path);
  },
  toJson: (v) => v,
};

/** Whether `isMember` lets an account send or receive under `mode`. */
export function policyAllows(mode: PolicyMode, isMember: boolean): boolean {
  switch (mode) {
    case 'open':
      return true;
    case 'allowlist':
      return isMember;
    case 'blocklist':
      return !isMember;
  }
}
