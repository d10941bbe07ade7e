import { Controller, Get, Param, Res } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import type { Response } from 'express';
import { Public } from '../common/access/access.decorators.js';
import { notFound } from '../common/errors/domain-error.js';
import { WebAssets } from './web-assets.js';

/** The pages' static files, cached for a year: their names change whenever their content does. */
@ApiExcludeController()
@Controller('assets')
export class AssetsController {
  constructor(private readonly assets: WebAssets) {}

  @Get(':name')
  @Public()
  serve(@Param('name') name: string, @Res() res: Response): void {
    const asset = this.assets.get(name);
    if (!asset) throw notFound('Asset');
    res.setHeader('Cache-Control', 'public, max-age=31536000, immutable');
    res.type(asset.type).send(asset.body);
  }
}
