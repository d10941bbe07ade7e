import type { RenderedObject } from '../manifests.js';
import type { PodTemplate } from '../pods.js';
import type { Profile } from '../profiles.js';
import type { Finding, RuleId } from '../results.js';

/** One profile's render, as every rule sees it. */
export interface RuleContext {
  profile: Profile;
  objects: RenderedObject[];
  pods: PodTemplate[];
  /**
   * What the profiles with inline secrets render for each secret setting (setting → value): the values an
   * existing Secret is checked with, since its own are not in the chart.
   */
  borrowedSecrets: ReadonlyMap<string, string>;
}

export interface Rule {
  id: RuleId;
  check(context: RuleContext): Finding[] | Promise<Finding[]>;
}
