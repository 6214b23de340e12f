"""What the UCP and ACP adapters share: bounded bodies, per-agent quotas, the idempotent runner, payment handlers,
public order ids and the order-webhook outbox sender."""
