import Fastify, { LogController } from 'fastify';
import type {
  FastifyBaseLogger,
  FastifyError,
  FastifyInstance,
  RawReplyDefaultExpression,
  RawRequestDefaultExpression,
  RawServerDefault,
} from 'fastify';
import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import {
  hasZodFastifySchemaValidationErrors,
  jsonSchemaTransform,
  serializerCompiler,
  validatorCompiler,
} from 'fastify-type-provider-zod';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import type { Logger } from 'pino';
import { decideAccess } from './access';
import type { Access, AccessControl } from './access';
import { AppError, httpStatusOf } from './errors';
import type { FieldIssue } from './errors';

export type HttpApp = FastifyInstance<
  RawServerDefault,
  RawRequestDefaultExpression,
  RawReplyDefaultExpression,
  FastifyBaseLogger,
  ZodTypeProvider
>;

/** A route as it was declared, with its access rule (the authorisation matrix test reads these). */
export interface DeclaredRoute {
  method: string;
  url: string;
  access: Access | null;
}

declare module 'fastify' {
  interface FastifyInstance {
    declaredRoutes: readonly DeclaredRoute[];
  }
}

export interface ErrorBody {
  error: { code: string; message: string; issues?: FieldIssue[] };
}

export interface HttpAppOptions {
  logger: Logger;
  title: string;
  version?: string;
  description?: string;
  /** Checked by /readyz: e.g. the database answers and consumers run. */
  readiness?: () => Promise<Record<string, boolean>>;
  bodyLimit?: number;
  /** Who is calling and how nodes relate; every route's `config.access` is enforced with it. */
  accessControl: AccessControl;
}

/**
 * The one Fastify factory every service and the host use: zod validation, one error mapping,
 * OpenAPI at /docs, /healthz and /readyz. It never listens; main.ts does.
 */
export async function createHttpApp(options: HttpAppOptions): Promise<HttpApp> {
  const app = Fastify({
    loggerInstance: options.logger,
    bodyLimit: options.bodyLimit ?? 1024 * 1024,
    // Per-request lines only on demand: 113 nodes' consumers and pollers already log what matters.
    logController: new LogController({ disableRequestLogging: process.env.LOG_REQUESTS !== '1' }),
  }).withTypeProvider<ZodTypeProvider>() as unknown as HttpApp;

  app.setValidatorCompiler(validatorCompiler);
  app.setSerializerCompiler(serializerCompiler);
  app.setErrorHandler((error, request, reply) => {
    const { status, body } = toErrorResponse(error);
    if (status >= 500) request.log.error({ err: error }, 'request failed');
    return reply.status(status).send(body);
  });
  app.setNotFoundHandler((request, reply) =>
    reply.status(404).send({
      error: { code: 'route.not_found', message: `no route ${request.method} ${request.url.split('?')[0]}` },
    } satisfies ErrorBody),
  );

  // Nothing under /nodes is open by omission: a route that forgets to declare who may call it
  // stops the process at start, not in production.
  const declared: DeclaredRoute[] = [];
  app.decorate('declaredRoutes', declared);
  app.addHook('onRoute', (route) => {
    if (route.url.startsWith('/nodes') && !route.config?.access)
      throw new Error(`route ${route.method} ${route.url} declares no access (config.access)`);
    for (const method of [route.method].flat())
      declared.push({ method, url: route.url, access: route.config?.access ?? null });
  });
  // Before validation: a caller without the right gets 401/403, not a hint about the body.
  app.addHook('preValidation', async (request) => {
    const rule = request.routeOptions.config.access;
    if (!rule) return;
    const principal = await options.accessControl.principalOf(request);
    const params = request.params as { nodeId?: unknown } | undefined;
    const target = typeof params?.nodeId === 'string' ? params.nodeId : null;
    request.granted = decideAccess(rule, principal, target, options.accessControl.isAncestor);
  });

  await app.register(swagger, {
    openapi: {
      info: {
        title: options.title,
        version: options.version ?? '0.1.0',
        description: options.description ?? '',
      },
    },
    transform: jsonSchemaTransform,
  });
  await app.register(swaggerUi, { routePrefix: '/docs' });

  app.get('/healthz', { schema: { hide: true } }, async () => ({ status: 'ok' }));
  app.get('/readyz', { schema: { hide: true } }, async (_request, reply) => {
    const checks = options.readiness ? await options.readiness().catch(() => ({ readiness: false })) : {};
    const ready = Object.values(checks).every(Boolean);
    return reply.status(ready ? 200 : 503).send({ status: ready ? 'ready' : 'not ready', checks });
  });

  return app;
}

/** The single place where errors become HTTP responses. 5xx bodies never carry internals. */
export function toErrorResponse(error: unknown): { status: number; body: ErrorBody } {
  if (error instanceof AppError) {
    const status = httpStatusOf(error.kind);
    if (status >= 500) return internal(status);
    return {
      status,
      body: {
        error: {
          code: error.code,
          message: error.message,
          ...(error.details.issues ? { issues: error.details.issues } : {}),
        },
      },
    };
  }
  if (hasZodFastifySchemaValidationErrors(error)) {
    const where = (error as unknown as { validationContext?: string }).validationContext ?? 'body';
    const issues = error.validation.map((v) => ({
      path: [where, ...String(v.instancePath).split('/').filter(Boolean)].join('.'),
      message: v.message ?? 'invalid',
    }));
    return {
      status: 400,
      body: {
        error: {
          code: 'request.invalid',
          message: issues.map((i) => `${i.path}: ${i.message}`).join('; '),
          issues,
        },
      },
    };
  }
  const fastifyError = error as FastifyError;
  if (
    typeof fastifyError.statusCode === 'number' &&
    fastifyError.statusCode >= 400 &&
    fastifyError.statusCode < 500
  ) {
    return {
      status: fastifyError.statusCode,
      body: {
        error: {
          code: `request.${(fastifyError.code ?? 'invalid').toLowerCase().replace(/^fst_err_/, '')}`,
          message: fastifyError.message,
        },
      },
    };
  }
  return internal(500);
}

function internal(status: number): { status: number; body: ErrorBody } {
  return {
    status,
    body: {
      error:
        status === 503
          ? {
              code: 'service.unavailable',
              message: 'the service is not available right now; try again shortly',
            }
          : { code: 'internal', message: 'internal error; it has been logged' },
    },
  };
}
