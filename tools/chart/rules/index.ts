import { existingSecretRule } from './existing-secret.js';
import { gracePeriodRule } from './grace-period.js';
import { hardenedRule } from './hardened.js';
import { imageTagRule } from './image-tag.js';
import { migrationHookRule } from './migration-hook.js';
import { probesRule } from './probes.js';
import { resourcesRule } from './resources.js';
import type { Rule } from './rule.js';
import { crdGatedRule, schemaRule } from './schema.js';
import { selectorsRule } from './selectors.js';
import { serviceAccountTokenRule } from './service-account-token.js';
import { settingsKnownRule, settingsProductionRule } from './settings.js';

export type { Rule, RuleContext } from './rule.js';

/** The invariants every profile's render must keep, in the order chart:check reports them. */
export const RULES: Rule[] = [
  schemaRule,
  crdGatedRule,
  hardenedRule,
  resourcesRule,
  probesRule,
  selectorsRule,
  migrationHookRule,
  existingSecretRule,
  imageTagRule,
  gracePeriodRule,
  serviceAccountTokenRule,
  settingsKnownRule,
  settingsProductionRule,
];
