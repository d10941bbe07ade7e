import type { MfaCompliance } from '../../src/policy/policy-engine.js';

const LENIENCY: Record<MfaCompliance['status'], number> = { exempt: 2, compliant: 2, grace: 1, overdue: 0 };

/**
 * How little a verdict of `evaluateMfa` asks of its subject, the order the engine's laws are stated in:
 * nothing (exempt, compliant) above a factor by a deadline (grace) above a factor now (overdue).
 */
export const leniencyOf = (verdict: MfaCompliance): number => LENIENCY[verdict.status];
