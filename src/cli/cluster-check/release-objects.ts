import {
  ApiException,
  BatchV1Api,
  CoreV1Api,
  createConfiguration,
  KubeConfig,
  type Middleware,
  ServerConfiguration,
  type V1JobList,
  type V1PodList,
} from '@kubernetes/client-node';

/** What the check asks the Kubernetes API, in the namespace it runs in. */
export interface ReleaseObjects {
  namespace: string;
  pods(labelSelector: string): Promise<V1PodList>;
  jobs(labelSelector: string): Promise<V1JobList>;
}

/**
 * The Kubernetes API as the pod's service account sees it (client-node's in-cluster config: the API's
 * address from KUBERNETES_SERVICE_HOST/PORT, the mounted token and CA, and the namespace from the mounted
 * namespace file). Every request is aborted after `timeoutMs`, so an API that does not answer fails the
 * check instead of hanging it.
 */
export function inClusterObjects(timeoutMs: number, mountRoot = ''): ReleaseObjects {
  if (!process.env.KUBERNETES_SERVICE_HOST) {
    throw new Error('not running in a Kubernetes pod (KUBERNETES_SERVICE_HOST is unset): give --addresses instead');
  }
  const kc = new KubeConfig();
  // `mountRoot` prefixes /var/run/secrets/kubernetes.io/serviceaccount (tests mount it elsewhere).
  kc.loadFromCluster(mountRoot);
  const namespace = kc.getContextObject(kc.getCurrentContext())?.namespace?.trim();
  if (!namespace) {
    throw new Error(
      `no namespace file at ${mountRoot}/var/run/secrets/kubernetes.io/serviceaccount/namespace (is the token mounted?)`,
    );
  }
  const configuration = createConfiguration({
    baseServer: new ServerConfiguration(kc.getCurrentCluster()!.server, {}),
    authMethods: { default: kc },
    promiseMiddleware: [abortAfter(timeoutMs)],
  });
  const core = new CoreV1Api(configuration);
  const batch = new BatchV1Api(configuration);
  return {
    namespace,
    pods: (labelSelector) => asked('pods', core.listNamespacedPod({ namespace, labelSelector }), timeoutMs),
    jobs: (labelSelector) => asked('jobs', batch.listNamespacedJob({ namespace, labelSelector }), timeoutMs),
  };
}

function abortAfter(ms: number): Middleware {
  return {
    pre: async (context) => {
      context.setSignal(AbortSignal.timeout(ms));
      return context;
    },
    post: async (response) => response,
  };
}

/** The listing, or an error saying in one line why the API would not give it. */
async function asked<T>(what: 'pods' | 'jobs', request: Promise<T>, timeoutMs: number): Promise<T> {
  try {
    return await request;
  } catch (error) {
    if (error instanceof ApiException) {
      const hints: Record<number, string> = {
        401: " (is the pod's service-account token mounted and current?)",
        403: ` (the test's ServiceAccount needs get and list on ${what} in its namespace)`,
      };
      const hint = hints[error.code] ?? '';
      throw new Error(`listing ${what}: the Kubernetes API answered ${error.code}: ${statusMessage(error)}${hint}`);
    }
    const { name, message, cause } = error as { name?: string; message?: string; cause?: { code?: string } };
    if (name === 'TimeoutError' || name === 'AbortError') {
      throw new Error(`listing ${what}: the Kubernetes API did not answer within ${timeoutMs / 1000} s`);
    }
    throw new Error(`listing ${what}: ${message ?? String(error)}${cause?.code ? ` (${cause.code})` : ''}`);
  }
}

/** The `message` of the Status object the API answers with, when there is one. */
function statusMessage(error: ApiException<unknown>): string {
  let body: unknown = error.body;
  if (typeof body === 'string') {
    try {
      body = JSON.parse(body);
    } catch {
      return (error.body as string).slice(0, 200);
    }
  }
  const message = (body as { message?: unknown } | undefined)?.message;
  // client-node keeps no body for a 401: the first line of its own message names the status.
  return typeof message === 'string' ? message : (error.message.split('\n')[1]?.replace(/^Message: /, '') ?? '');
}
