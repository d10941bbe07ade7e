import type { V1LabelSelector } from '@kubernetes/client-node';

/** Whether labels satisfy a selector: a LabelSelector (matchLabels and matchExpressions) or a plain map. */
export function selects(selector: V1LabelSelector | Record<string, string>, labels: Record<string, string>): boolean {
  const isLabelSelector = 'matchLabels' in selector || 'matchExpressions' in selector;
  const matchLabels = isLabelSelector ? ((selector as V1LabelSelector).matchLabels ?? {}) : selector;
  const expressions = isLabelSelector ? ((selector as V1LabelSelector).matchExpressions ?? []) : [];
  return (
    Object.entries(matchLabels as Record<string, string>).every(([key, value]) => labels[key] === value) &&
    expressions.every(({ key, operator, values = [] }) => {
      const has = key in labels;
      if (operator === 'In') return has && values.includes(labels[key]!);
      if (operator === 'NotIn') return !has || !values.includes(labels[key]!);
      if (operator === 'Exists') return has;
      if (operator === 'DoesNotExist') return !has;
      return false;
    })
  );
}
