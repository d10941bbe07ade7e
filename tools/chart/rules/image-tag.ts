import { allContainers } from '../pods.js';
import type { Rule } from './rule.js';

/** The tag of `registry[:port]/path[:tag][@digest]`: after the last `:` of the last path segment. */
function tagOf(image: string): { tag?: string; digest?: string } {
  const [name = '', digest] = image.split('@');
  const lastSegment = name.slice(name.lastIndexOf('/') + 1);
  const colon = lastSegment.lastIndexOf(':');
  return { tag: colon >= 0 ? lastSegment.slice(colon + 1) : undefined, digest };
}

/** Every image is pinned: a tag other than `latest`, or a digest; a moving tag makes a rollout unrepeatable. */
export const imageTagRule: Rule = {
  id: 'image-tag',
  check: ({ pods }) =>
    allContainers(pods).flatMap(({ container, where }) => {
      const image = container.image ?? '';
      const { tag, digest } = tagOf(image);
      if (digest) return [];
      if (!tag) return [{ object: where, message: `image ${JSON.stringify(image)} has no tag` }];
      if (tag === 'latest') return [{ object: where, message: `image ${image} uses the tag latest` }];
      return [];
    }),
};
