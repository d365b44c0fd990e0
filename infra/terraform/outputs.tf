output "render_queue_url" {
  description = "RENDER_QUEUE_URL for the render consumer."
  value       = aws_sqs_queue.renders.id
}

output "render_queue_arn" {
  description = "ARN of the render queue."
  value       = aws_sqs_queue.renders.arn
}

output "render_dlq_url" {
  description = "RENDER_DLQ_URL for the render consumer and its dlq commands."
  value       = aws_sqs_queue.dlq.id
}

output "render_dlq_arn" {
  description = "ARN of the dead-letter queue."
  value       = aws_sqs_queue.dlq.arn
}

output "event_rule_arn" {
  description = "ARN of the rule that feeds the render queue (the only sender the queue policy allows)."
  value       = aws_cloudwatch_event_rule.renders.arn
}

output "dlq_alarm_arn" {
  description = "ARN of the alarm on a non-empty dead-letter queue."
  value       = aws_cloudwatch_metric_alarm.dlq_not_empty.arn
}

output "composer_read_policy_arn" {
  description = "IAM policy for the composer: read-only on the assets bucket."
  value       = aws_iam_policy.composer_read.arn
}

output "ingest_agent_policy_arn" {
  description = "IAM policy for the ingest agent."
  value       = aws_iam_policy.ingest_agent.arn
}

output "ingest_agent_prune_policy_arn" {
  description = "Extra IAM policy for agents that run with --prune (s3:DeleteObject)."
  value       = aws_iam_policy.ingest_agent_prune.arn
}

output "render_consumer_policy_arn" {
  description = "IAM policy for the render consumer."
  value       = aws_iam_policy.render_consumer.arn
}

output "consumer_service_name" {
  description = "Name of the render consumer's ECS service (null when consumer_service_enabled is false)."
  value       = one(aws_ecs_service.consumer[*].name)
}

output "consumer_task_definition_arn" {
  description = "ARN of the render consumer's task definition."
  value       = one(aws_ecs_task_definition.consumer[*].arn)
}

output "consumer_task_role_arn" {
  description = "Task role of the render consumer (composer read + render consumer policies)."
  value       = one(aws_iam_role.consumer_task[*].arn)
}

output "consumer_execution_role_arn" {
  description = "Execution role of the render consumer (image pull, logs, its secrets)."
  value       = one(aws_iam_role.consumer_execution[*].arn)
}

output "consumer_log_group_name" {
  description = "CloudWatch log group of the render consumer's tasks."
  value       = one(aws_cloudwatch_log_group.consumer[*].name)
}

output "agent_notices_queue_url" {
  description = "AGENT_NOTICES_QUEUE_URL for the ingest agent (catalog previews' render events)."
  value       = aws_sqs_queue.agent_notices.id
}

output "agent_notices_queue_arn" {
  description = "ARN of the ingest agent's notices queue."
  value       = aws_sqs_queue.agent_notices.arn
}

output "agent_notices_dlq_url" {
  description = "URL of the notices queue's dead-letter queue."
  value       = aws_sqs_queue.agent_notices_dlq.id
}

output "agent_notices_rule_arn" {
  description = "ARN of the rule that feeds the notices queue (the only sender its queue policy allows)."
  value       = aws_cloudwatch_event_rule.agent_notices.arn
}

output "ingest_agent_notices_policy_arn" {
  description = "Extra IAM policy for agents that read AGENT_NOTICES_QUEUE_URL."
  value       = aws_iam_policy.ingest_agent_notices.arn
}
