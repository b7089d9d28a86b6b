// The stripe-node recipe of docs/clients.md, as code: stripe-node has no base-path option, so a custom
// httpClient puts "/v1/proxy/stripe" in front of every path it sends (its host, port and protocol options
// point it at the daemon).
import Stripe from 'stripe';

export function stripeClient(
  daemonUrl: string,
  token: string,
  options: { maxNetworkRetries?: number; providerId?: string } = {},
): Stripe {
  const url = new URL(daemonUrl);
  const prefix = `/v1/proxy/${options.providerId ?? 'stripe'}`;
  const node = Stripe.createNodeHttpClient();
  const httpClient: Stripe.HttpClient = {
    getClientName: () => 'agent-keychain',
    makeRequest: (host, port, path, method, headers, body, protocol, timeout) =>
      node.makeRequest(host, port, `${prefix}${path}`, method, headers, body, protocol, timeout),
  };
  return new Stripe(token, {
    host: url.hostname,
    port: Number(url.port),
    protocol: 'http',
    httpClient,
    maxNetworkRetries: options.maxNetworkRetries ?? 0,
  });
}
