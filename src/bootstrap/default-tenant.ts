import type { INestApplicationContext } from '@nestjs/common';
import { CommandBus } from '@nestjs/cqrs';
import { MikroORM } from '@mikro-orm/postgresql';
import { NO_REQUEST } from '../common/actor.js';
import type { AppConfig } from '../common/app-config.js';
import { newPassword } from '../common/crypto/tokens.js';
import { DomainError } from '../common/errors/domain-error.js';
import { CreateTenantCommand, Tenant } from '../identity/index.js';

/**
 * First start on an empty database: a default tenant and its admin, whose password is printed once
 * and stored nowhere but as its argon2id hash.
 */
export async function ensureDefaultTenant(
  app: INestApplicationContext,
  config: AppConfig,
  print: (line: string) => void,
): Promise<void> {
  const em = app.get(MikroORM).em.fork();
  if ((await em.count(Tenant, {})) > 0) return;
  if (config.env.NODE_ENV === 'production') {
    // No password in production logs: the operator creates the first tenant deliberately.
    print('No tenant yet: create one with `npm run stepguard -- tenant create …` or POST /v1/tenants.');
    return;
  }
  const password = newPassword();
  const slug = config.env.STEPGUARD_BOOTSTRAP_TENANT;
  const email = config.env.STEPGUARD_BOOTSTRAP_ADMIN_EMAIL;
  try {
    await app
      .get(CommandBus)
      .execute(
        new CreateTenantCommand(
          { slug, name: 'Default', admin: { email, password } },
          { type: 'system', id: 'bootstrap' },
          NO_REQUEST,
        ),
      );
  } catch (error) {
    // Another replica starting at the same moment created it first.
    if (error instanceof DomainError && error.code === 'conflict') return;
    throw error;
  }
  print('First start: created the default tenant and its admin.');
  print(`  tenant:   ${slug}`);
  print(`  e-mail:   ${email}`);
  print(`  password: ${password}   (shown once; change it after signing in)`);
}
