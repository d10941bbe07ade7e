import { Injectable } from '@nestjs/common';
import { AppConfig } from '../../common/app-config.js';
import { RevealOnce } from '../reveal-once.js';

/** A key just created, as the page that shows it once needs it. */
export interface NewApiKey {
  id: string;
  name: string;
  scopes: string[];
  key: string;
}

/** A new API key, from the create form to `/admin/api-keys/created`, shown there once (RevealOnce). */
@Injectable()
export class NewApiKeyReveal extends RevealOnce<NewApiKey> {
  constructor(config: AppConfig) {
    super(config, { cookie: 'sg_new_api_key', path: '/admin/api-keys/created', purpose: 'page new api key' });
  }
}
