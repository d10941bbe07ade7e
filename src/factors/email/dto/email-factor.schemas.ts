import { z } from 'zod';

export const enrollEmailFactorSchema = z.object({ email: z.email().max(254).optional() }).strict();
