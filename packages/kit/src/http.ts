import Fastify, { LogController } from 'fastify';
import type {
  FastifyBaseLogger,
  FastifyError,
  FastifyInstance,
  RawReplyDefaultExpression,
  RawRequestDefaultExpression,
  RawServerDefault,
} from 'fastify';
import cors from '@fastify/cors';
import helmet from '@fastify/helmet';
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
  /** Largest request body in bytes (default 1 MiB); larger ones get 413 `request.too_large`. */
  bodyLimit?: number;
  /**
   * How nodes relate (the org tree), for every route's `config.access`; the principal is the one
   * the bearer hook (@duban/auth) put on the request. Absent: no node is above another.
   */
  accessControl?: AccessControl;
  /**
   * Origins (scheme://host[:port]) whose pages may call this API from a browser: the console's.
   * Empty or absent: none, so only same-origin pages (the host's own, e.g. /docs) can.
   */
  corsOrigins?: readonly string[];
  /** Told of every answered request (the metrics' latency histogram, ADR 0028). */
  onResponse?: (sample: RequestSample) => void;
}

/** One answered request: the route pattern as declared (`/nodes/:nodeId/…`), never the raw URL. */
export interface RequestSample {
  method: string;
  /** Absent when no route matched (a 404). */
  route: string | undefined;
  statusCode: number;
  seconds: number;
}

export const DEFAULT_BODY_LIMIT = 1024 * 1024;

/**
 * The one Fastify factory every service and the host use: zod validation, one error mapping,
 * OpenAPI at /docs, /healthz and /readyz. It never listens; main.ts does.
 */
export async function createHttpApp(options: HttpAppOptions): Promise<HttpApp> {
  const app = Fastify({
    loggerInstance: options.logger,
    bodyLimit: options.bodyLimit ?? DEFAULT_BODY_LIMIT,
    // Per-request lines only on demand: 113 nodes' consumers and pollers already log what matters.
    logController: new LogController({ disableRequestLogging: process.env.LOG_REQUESTS !== '1' }),
  }).withTypeProvider<ZodTypeProvider>() as unknown as HttpApp;

  const { onResponse } = options;
  if (onResponse)
    app.addHook('onResponse', async (request, reply) =>
      onResponse({
        method: request.method,
        route: request.routeOptions.url,
        statusCode: reply.statusCode,
        seconds: reply.elapsedTime / 1000,
      }),
    );
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
  const isAncestor = options.accessControl?.isAncestor ?? (() => false);
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
    const params = request.params as { nodeId?: unknown } | undefined;
    const target = typeof params?.nodeId === 'string' ? params.nodeId : null;
    request.granted = decideAccess(rule, request.principal ?? null, target, isAncestor);
  });
  // Security headers on every response. The CSP allows what the Swagger UI at /docs needs (its
  // own scripts and styles, inline styles, data: images) and nothing from elsewhere; JSON
  // responses are not rendered, so the same policy costs the API nothing.
  await app.register(helmet, {
    contentSecurityPolicy: {
      useDefaults: false,
      directives: {
        defaultSrc: ["'self'"],
        baseUri: ["'self'"],
        connectSrc: ["'self'"],
        fontSrc: ["'self'", 'data:'],
        formAction: ["'self'"],
        frameAncestors: ["'none'"],
        imgSrc: ["'self'", 'data:'],
        objectSrc: ["'none'"],
        scriptSrc: ["'self'"],
        styleSrc: ["'self'", "'unsafe-inline'"],
      },
    },
    // The API is not framed and serves no cross-origin resources.
    crossOriginResourcePolicy: { policy: 'same-origin' },
    referrerPolicy: { policy: 'no-referrer' },
  });
  // CORS only for the console's origin: a page from any other origin gets no
  // Access-Control-Allow-Origin and the browser withholds the response.
  const origins = [...(options.corsOrigins ?? [])];
  await app.register(cors, {
    origin: origins.length > 0 ? origins : false,
    methods: ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE'],
    allowedHeaders: ['authorization', 'content-type'],
    exposedHeaders: ['content-disposition', 'retry-after'],
    maxAge: 600,
  });

  await app.register(swagger, {
    openapi: {
      info: {
        title: options.title,
        version: options.version ?? '0.1.0',
        description: options.description ?? '',
      },
      // Swagger UI's "Authorize" button: paste the accessToken from POST /auth/login.
      components: {
        securitySchemes: { bearer: { type: 'http', scheme: 'bearer', bearerFormat: 'JWT' } },
      },
      security: [{ bearer: [] }],
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
  if (fastifyError.code === 'FST_ERR_CTP_BODY_TOO_LARGE') {
    return {
      status: 413,
      body: { error: { code: 'request.too_large', message: fastifyError.message } },
    };
  }
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
