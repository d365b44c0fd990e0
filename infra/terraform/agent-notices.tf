# The ingest agent's notices: "Render Ready" / "Render Failed" of catalog previews, so the agent can
# add a "Preview ready" line to the delivery's _REPORT.txt. The same definitions `pnpm infra:local`
# applies (agent-notices.json, agent-notices-pattern.json, the shared queue policy template).

locals {
  agent_notices           = jsondecode(file("${local.definitions}/agent-notices.json"))
  agent_notices_rule_name = "${local.agent_notices.queue.name}-route"
}

resource "aws_sqs_queue" "agent_notices_dlq" {
  name                      = local.agent_notices.deadLetterQueue.name
  message_retention_seconds = local.agent_notices.deadLetterQueue.messageRetentionSeconds
  sqs_managed_sse_enabled   = local.queues.sqsManagedSse
  tags                      = var.tags
}

resource "aws_sqs_queue" "agent_notices" {
  name                       = local.agent_notices.queue.name
  visibility_timeout_seconds = local.agent_notices.queue.visibilityTimeoutSeconds
  message_retention_seconds  = local.agent_notices.queue.messageRetentionSeconds
  receive_wait_time_seconds  = local.agent_notices.queue.receiveWaitTimeSeconds
  sqs_managed_sse_enabled    = local.queues.sqsManagedSse
  redrive_policy = jsonencode({
    deadLetterTargetArn = aws_sqs_queue.agent_notices_dlq.arn
    maxReceiveCount     = local.agent_notices.queue.maxReceiveCount
  })
  tags = var.tags
}

resource "aws_sqs_queue_redrive_allow_policy" "agent_notices_dlq" {
  queue_url = aws_sqs_queue.agent_notices_dlq.id
  redrive_allow_policy = templatefile("${local.definitions}/dlq-redrive-allow-policy.json", {
    queue_arn = aws_sqs_queue.agent_notices.arn
  })
}

resource "aws_cloudwatch_event_rule" "agent_notices" {
  name           = local.agent_notices_rule_name
  event_bus_name = var.event_bus_name
  description    = "Routes \"Render Ready\" and \"Render Failed\" of catalog previews to the ingest agent's notices queue"
  event_pattern  = file("${local.definitions}/agent-notices-pattern.json")
  tags           = var.tags
}

resource "aws_cloudwatch_event_target" "agent_notices" {
  rule           = aws_cloudwatch_event_rule.agent_notices.name
  event_bus_name = var.event_bus_name
  target_id      = "agent-notices-queue"
  arn            = aws_sqs_queue.agent_notices.arn
}

resource "aws_sqs_queue_policy" "agent_notices" {
  queue_url = aws_sqs_queue.agent_notices.id
  policy = templatefile("${local.definitions}/queue-policy.json", {
    queue_arn = aws_sqs_queue.agent_notices.arn
    rule_arn  = aws_cloudwatch_event_rule.agent_notices.arn
  })
}

resource "aws_iam_policy" "ingest_agent_notices" {
  name        = "${var.name_prefix}-ingest-agent-notices"
  description = "Ingest agent: receive and delete its preview notices (AGENT_NOTICES_QUEUE_URL) on that queue only."
  policy = templatefile("${local.definitions}/policies/ingest-agent-notices.json", {
    notices_queue_arn = aws_sqs_queue.agent_notices.arn
  })
  tags = var.tags
}
