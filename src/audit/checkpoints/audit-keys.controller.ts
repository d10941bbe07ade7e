import { Controller, Get, Header } from '@nestjs/common';
import { ApiOkResponse, ApiTags } from '@nestjs/swagger';
import { Public } from '../../common/access/access.decorators.js';
import { jsonSchema } from '../../http/openapi.js';
import { CheckpointSigner, type PublishedKey } from './checkpoint-signer.js';
import { auditKeysSchema } from './dto/audit-checkpoints.schema.js';

/**
 * The public keys that verify audit checkpoints, for anyone: a SIEM checks a stream with them, without
 * credentials. Every configured key is listed, the retired ones too, so old checkpoints still verify.
 */
@ApiTags('audit')
@Controller('.well-known')
export class AuditKeysController {
  constructor(private readonly signer: CheckpointSigner) {}

  @Get('stepguard-audit-keys')
  @Public()
  // Short-lived: a receiver meeting an unknown keyId after a rotation fetches again.
  @Header('Cache-Control', 'public, max-age=300')
  @ApiOkResponse({ description: 'The Ed25519 public keys of audit checkpoints', schema: jsonSchema(auditKeysSchema) })
  keys(): { keys: PublishedKey[] } {
    return { keys: this.signer.published() };
  }
}
