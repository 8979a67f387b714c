import nextCoreWebVitals from "eslint-config-next/core-web-vitals";
import nextTypescript from "eslint-config-next/typescript";

// Each broker SDK may be imported only inside its own lib/brokers/<kind>/ folder
// (plus sandbox/ and bench/, which run or measure the brokers themselves).
const brokerSdks = {
  rabbitmq: ["amqplib", "amqplib/*"],
  sqs: ["@aws-sdk/*", "@smithy/*"],
  servicebus: ["@azure/*"],
};
const sdkRule = (kind) => ({
  group: brokerSdks[kind],
  message: `Only lib/brokers/${kind}/ may import the ${kind} SDK.`,
});
const noApp = { group: ["@/app/*", "**/app/*"], message: "Imports flow app → components → lib; never back into app/." };
const noComponents = { group: ["@/components/*", "**/components/*"], message: "lib/ must not import from components/." };
const kinds = Object.keys(brokerSdks);
const restrict = (patterns) => ({ "no-restricted-imports": ["error", { patterns }] });

const boundaries = [
  { files: ["**/*.{ts,tsx,mjs}"], rules: restrict(kinds.map(sdkRule)) },
  { files: ["components/**/*.{ts,tsx}"], rules: restrict([...kinds.map(sdkRule), noApp]) },
  { files: ["lib/**/*.{ts,tsx}"], rules: restrict([...kinds.map(sdkRule), noApp, noComponents]) },
  ...kinds.map((kind) => ({
    files: [`lib/brokers/${kind}/**/*.{ts,tsx}`],
    rules: restrict([...kinds.filter((k) => k !== kind).map(sdkRule), noApp, noComponents]),
  })),
  { files: ["sandbox/**/*.{ts,mjs}", "bench/**/*.{ts,mjs}"], rules: { "no-restricted-imports": "off" } },
];

const config = [
  {
    ignores: [
      "node_modules/**", ".next/**", ".data/**", "generated/**", "next-env.d.ts",
      "playwright-report/**", "test-results/**",
    ],
  },
  ...nextCoreWebVitals,
  ...nextTypescript,
  ...boundaries,
  {
    rules: {
      "@typescript-eslint/no-explicit-any": "error",
      "@typescript-eslint/ban-ts-comment": "error",
      "@typescript-eslint/no-unused-vars": ["error", { argsIgnorePattern: "^_", varsIgnorePattern: "^_" }],
    },
  },
];

export default config;
