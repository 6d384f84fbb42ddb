import type { RequestContext } from '../http/request-context';
import type { LiveSubscriptions } from './live-status';

/**
 * The context of one subscription over the WebSocket: a request's context (the
 * connection's user, a correlation id, a logger, loaders: replaced by each
 * event's), plus the subscriptions themselves (type-graphql's `subscribe`
 * functions are static: they reach the services through the context) and the
 * result page's capability when the connection brought one.
 */
export interface LiveContext extends RequestContext {
  live: LiveSubscriptions;
  /** connectionParams.pageAccess: the built-in result pages' capability */
  pageAccess?: string;
}
