import { describe, expect, it } from '@jest/globals';
import { ESLint } from 'eslint';
import { LAYERS } from '../../eslint.config.js';

/** The boundary checker itself: `npm run lint` must refuse an import that breaks the layering. */
describe('the layering lint', () => {
  const eslint = new ESLint();
  const problems = async (file: string, source: string) => {
    const [result] = await eslint.lintText(`${source}\nexport const probe = x;\n`, { filePath: file });
    return result!.messages.filter((m) => m.ruleId === 'boundaries/dependencies').map((m) => m.message);
  };

  it('refuses a lower slice importing a higher one', async () => {
    expect(await problems('src/factors/probe.ts', "import { x } from '../compliance/index.js';")).toEqual([
      expect.stringContaining('factors must not import compliance'),
    ]);
    expect(await problems('src/sessions/probe.ts', "import { x } from '../auth/index.js';")).toHaveLength(1);
  });

  it("refuses an import that goes around a slice's public face", async () => {
    expect(await problems('src/auth/probe.ts', "import { x } from '../sessions/session.entity.js';")).toEqual([
      expect.stringContaining('auth must not import sessions/session.entity.ts'),
    ]);
  });

  it('refuses the toolboxes reaching into any slice', async () => {
    expect(await problems('src/common/probe.ts', "import { x } from '../identity/index.js';")).toHaveLength(1);
    expect(await problems('src/infra/probe.ts', "import { x } from '../audit/index.js';")).toHaveLength(1);
  });

  it('accepts a public face below, the toolboxes and the inside of a slice', async () => {
    expect(await problems('src/auth/probe.ts', "import { x } from '../sessions/index.js';")).toEqual([]);
    expect(await problems('src/sessions/probe.ts', "import { x } from '../common/clock.js';")).toEqual([]);
    expect(await problems('src/sessions/probe.ts', "import { x } from './session.entity.js';")).toEqual([]);
  });

  it('lists, for every slice, only slices listed before it: no cycle is possible', () => {
    const order = Object.keys(LAYERS);
    for (const [slice, uses] of Object.entries(LAYERS)) {
      for (const used of uses) expect(order.indexOf(used)).toBeLessThan(order.indexOf(slice));
    }
  });
});
