import type { NextConfig } from "next";

const nextConfig: NextConfig = {
  reactStrictMode: true,
  poweredByHeader: false,
  // `npm test` type-checks the whole project (tsc --noEmit) before it builds; a second check
  // inside `next build` only doubles the time.
  typescript: { ignoreBuildErrors: true },
  // Prometheus' default metrics_path; the handler lives under /api, where the guard runs.
  rewrites: async () => [{ source: "/metrics", destination: "/api/metrics" }],
  // Broker SDKs and native drivers stay as Node requires on the server, never bundled.
  // Security headers on every response; the Content-Security-Policy (with its per-request nonce)
  // and HSTS are set by proxy.ts.
  async headers() {
    return [
      {
        source: "/:path*",
        headers: [
          { key: "X-Content-Type-Options", value: "nosniff" },
          { key: "X-Frame-Options", value: "DENY" },
          { key: "Referrer-Policy", value: "same-origin" },
          { key: "Cross-Origin-Opener-Policy", value: "same-origin" },
          { key: "Permissions-Policy", value: "camera=(), microphone=(), geolocation=(), payment=(), usb=()" },
        ],
      },
    ];
  },
  serverExternalPackages: [
    "amqplib",
    "@azure/service-bus",
    "@aws-sdk/client-sqs",
    "pg",
    "pg-boss",
    "@prisma/client",
    "@prisma/adapter-pg",
    "rhea",
  ],
};

export default nextConfig;
