import { AlertsPage } from "@/components/alerts/alerts-page";

export default function AlertsRoute() {
  return <AlertsPage />;
}
