import express, { type NextFunction, type Request, type Response } from 'express';
import type { NestExpressApplication } from '@nestjs/platform-express';
import helmet from 'helmet';

/** Where the pages live; the JSON body parser leaves these paths to the form parser. */
export const PAGE_PATHS = ['/account', '/admin'];

/**
 * What the pages need from the HTTP app before any route: helmet's headers with a strict
 * Content-Security-Policy (scripts and styles only from our own hashed files, no inline script, no
 * framing, forms only to us), form bodies, and no caching of any page (they show sessions, codes and QR
 * images); the hashed assets set their own long cache.
 */
export function installPages(app: NestExpressApplication, bodyLimitBytes: number): void {
  app.use(
    [...PAGE_PATHS, '/assets'],
    helmet({
      contentSecurityPolicy: {
        useDefaults: false,
        directives: {
          defaultSrc: ["'none'"],
          scriptSrc: ["'self'"],
          styleSrc: ["'self'"],
          imgSrc: ["'self'", 'data:'],
          connectSrc: ["'self'"],
          formAction: ["'self'"],
          frameAncestors: ["'none'"],
          baseUri: ["'none'"],
        },
      },
      // Not `no-referrer`: browsers then send `Origin: null` on our own forms, and the forgery check needs it.
      // No page URL carries a secret; other sites get no referrer at all.
      referrerPolicy: { policy: 'same-origin' },
    }),
  );
  app.use(PAGE_PATHS, noStorePage, express.urlencoded({ extended: false, limit: bodyLimitBytes, parameterLimit: 50 }));
}

function noStorePage(_req: Request, res: Response, next: NextFunction): void {
  res.setHeader('Cache-Control', 'no-store');
  next();
}
