import { applyDecorators } from '@nestjs/common';
import { ApiBody, ApiQuery, ApiResponse } from '@nestjs/swagger';
import { z } from 'zod';

type Schema = Parameters<typeof ApiBody>[0] extends infer O ? (O extends { schema?: infer S } ? S : never) : never;

/** JSON Schema for OpenAPI from the same zod schema that validates the request. */
export function jsonSchema(schema: z.ZodType, io: 'input' | 'output' = 'input'): Schema {
  const { $schema: _ignored, ...rest } = z.toJSONSchema(schema, { io, unrepresentable: 'any' }) as Record<
    string,
    unknown
  >;
  return rest as Schema;
}

export const ApiJsonBody = (schema: z.ZodType) => ApiBody({ schema: jsonSchema(schema) });

/** Documents each field of a query schema as a query parameter. */
export function ApiQueryFrom(schema: z.ZodObject) {
  return applyDecorators(
    ...Object.keys(schema.shape).map((name) =>
      ApiQuery({ name, required: false, schema: jsonSchema(schema.shape[name] as z.ZodType) }),
    ),
  );
}

export const ApiProblems = (...statuses: number[]) =>
  applyDecorators(
    ...statuses.map((status) =>
      ApiResponse({
        status,
        description: 'RFC 9457 problem',
        content: { 'application/problem+json': { schema: { $ref: '#/components/schemas/Problem' } } },
      }),
    ),
  );
