import { Injectable } from '@nestjs/common';
import { AppConfig } from '../../common/app-config.js';
import { RevealOnce } from '../reveal-once.js';

/** A webhook sink's signing secret just made (a new sink, or a rotation), as the page that shows it needs it. */
export interface NewSinkSecret {
  name: string;
  secret: string;
  /** Made by a rotation, not with a new sink. */
  rotated: boolean;
  /** Hours the previous secret keeps signing beside it (a rotation's). */
  overlapHours: number;
}

export const SINK_SECRET_PAGE = '/admin/audit-stream/secret';

/** A webhook's signing secret, from the form that made it to `/admin/audit-stream/secret`, shown once. */
@Injectable()
export class NewSinkSecretReveal extends RevealOnce<NewSinkSecret> {
  constructor(config: AppConfig) {
    super(config, { cookie: 'sg_new_sink_secret', path: SINK_SECRET_PAGE, purpose: 'page new sink secret' });
  }
}
