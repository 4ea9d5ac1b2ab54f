/** The request schemas live in @gozcu/shared (contracts/alerts.ts), where the dashboard can use them too. */
export { alertsQuery, type AlertsQuery, readBody, subscriptionBody, unsubscribeBody, preferencesBody } from '@gozcu/shared';
