import type { Severity } from './action-mappings.js';

/** CEF's 0–10 scale (0–3 low, 4–6 medium, 7–8 high, 9–10 very high); ECS `event.severity` uses it too. */
export const CEF_SEVERITY: Readonly<Record<Severity, number>> = { informational: 1, low: 3, medium: 5, high: 8 };
