import { TokensPage } from "@/components/tokens/tokens-page";

export const metadata = { title: "API tokens · Dead-letter console" };

export default function TokensRoute() {
  return <TokensPage />;
}
