import type { FactoryProvider } from '@nestjs/common';
import { AppConfig } from '../app-config.js';
import { SecretBox } from './secret-box.js';

/** The SecretBox under the configured encryption keys, for the modules that seal secrets. */
export const secretBoxProvider: FactoryProvider<SecretBox> = {
  provide: SecretBox,
  inject: [AppConfig],
  useFactory: (config: AppConfig) => new SecretBox(config.encryptionKeys),
};
