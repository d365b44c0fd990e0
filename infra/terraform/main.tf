# Every document below comes from ../definitions, the same files `pnpm infra:local` applies to the
# emulator, so the local topology and production cannot drift apart. Placeholders in those files are
# plain ${name} variables filled by templatefile().

locals {
  definitions = "${path.module}/../definitions"
  queues      = jsondecode(file("${local.definitions}/queues.json"))
  bucket      = jsondecode(file("${local.definitions}/bucket.json"))

  queue_name = coalesce(var.queue_name, local.queues.renderQueue.name)
  dlq_name   = coalesce(var.dlq_name, local.queues.deadLetterQueue.name)
  # The local bootstrap names the rule the same way (infra/src/local/ensure-topology.ts).
  rule_name = "${local.queue_name}-route"
}

data "aws_s3_bucket" "assets" {
  bucket = var.bucket_name
}

data "aws_cloudwatch_event_bus" "pipeline" {
  name = var.event_bus_name
}

# ---- assets bucket (exists already; hardened here) ----

resource "aws_s3_bucket_notification" "assets" {
  bucket      = data.aws_s3_bucket.assets.id
  eventbridge = local.bucket.eventBridgeNotifications
}

resource "aws_s3_bucket_server_side_encryption_configuration" "assets" {
  bucket = data.aws_s3_bucket.assets.id

  rule {
    apply_server_side_encryption_by_default {
      sse_algorithm = local.bucket.serverSideEncryption.sseAlgorithm
    }
    bucket_key_enabled = local.bucket.serverSideEncryption.bucketKeyEnabled
  }
}

resource "aws_s3_bucket_public_access_block" "assets" {
  bucket                  = data.aws_s3_bucket.assets.id
  block_public_acls       = local.bucket.publicAccessBlock.blockPublicAcls
  block_public_policy     = local.bucket.publicAccessBlock.blockPublicPolicy
  ignore_public_acls      = local.bucket.publicAccessBlock.ignorePublicAcls
  restrict_public_buckets = local.bucket.publicAccessBlock.restrictPublicBuckets
}

resource "aws_s3_bucket_versioning" "assets" {
  bucket = data.aws_s3_bucket.assets.id

  versioning_configuration {
    status = var.versioning_enabled ? "Enabled" : "Suspended"
  }
}

# ---- queues ----

resource "aws_sqs_queue" "dlq" {
  name                      = local.dlq_name
  message_retention_seconds = local.queues.deadLetterQueue.messageRetentionSeconds
  sqs_managed_sse_enabled   = local.queues.sqsManagedSse
  tags                      = var.tags
}

resource "aws_sqs_queue" "renders" {
  name                       = local.queue_name
  visibility_timeout_seconds = local.queues.renderQueue.visibilityTimeoutSeconds
  message_retention_seconds  = local.queues.renderQueue.messageRetentionSeconds
  receive_wait_time_seconds  = local.queues.renderQueue.receiveWaitTimeSeconds
  sqs_managed_sse_enabled    = local.queues.sqsManagedSse
  redrive_policy = jsonencode({
    deadLetterTargetArn = aws_sqs_queue.dlq.arn
    maxReceiveCount     = local.queues.renderQueue.maxReceiveCount
  })
  tags = var.tags
}

resource "aws_sqs_queue_redrive_allow_policy" "dlq" {
  queue_url = aws_sqs_queue.dlq.id
  redrive_allow_policy = templatefile("${local.definitions}/dlq-redrive-allow-policy.json", {
    queue_arn = aws_sqs_queue.renders.arn
  })
}

# ---- routing ----

resource "aws_cloudwatch_event_rule" "renders" {
  name           = local.rule_name
  event_bus_name = var.event_bus_name
  description    = "Routes the assets bucket's object events and the ingest agents' events to the render queue"
  event_pattern = templatefile("${local.definitions}/event-pattern.json", {
    bucket_name = var.bucket_name
  })
  tags = var.tags
}

resource "aws_cloudwatch_event_target" "renders" {
  rule           = aws_cloudwatch_event_rule.renders.name
  event_bus_name = var.event_bus_name
  target_id      = "render-queue"
  arn            = aws_sqs_queue.renders.arn
}

resource "aws_sqs_queue_policy" "renders" {
  queue_url = aws_sqs_queue.renders.id
  policy = templatefile("${local.definitions}/queue-policy.json", {
    queue_arn = aws_sqs_queue.renders.arn
    rule_arn  = aws_cloudwatch_event_rule.renders.arn
  })
}

# ---- alarm: any message in the DLQ needs an operator (pnpm consumer dlq list) ----

resource "aws_cloudwatch_metric_alarm" "dlq_not_empty" {
  alarm_name          = "${var.name_prefix}-${local.dlq_name}-not-empty"
  alarm_description   = "A render message failed ${local.queues.renderQueue.maxReceiveCount} times and sits in ${local.dlq_name}; inspect it with `pnpm consumer dlq list`."
  namespace           = "AWS/SQS"
  metric_name         = "ApproximateNumberOfMessagesVisible"
  dimensions          = { QueueName = aws_sqs_queue.dlq.name }
  statistic           = "Maximum"
  period              = 60
  evaluation_periods  = 1
  threshold           = 0
  comparison_operator = "GreaterThanThreshold"
  treat_missing_data  = "notBreaching"
  alarm_actions       = [var.alarm_sns_topic_arn]
  ok_actions          = [var.alarm_sns_topic_arn]
  tags                = var.tags
}

# ---- IAM policies (attach them to the roles or users of each service) ----

resource "aws_iam_policy" "composer_read" {
  name        = "${var.name_prefix}-composer-read"
  description = "Composer: read-only access to the assets bucket (s3:GetObject, s3:ListBucket only)."
  policy = templatefile("${local.definitions}/policies/composer-read.json", {
    bucket_arn = data.aws_s3_bucket.assets.arn
  })
  tags = var.tags
}

resource "aws_iam_policy" "ingest_agent" {
  name        = "${var.name_prefix}-ingest-agent"
  description = "Ingest agent: delta sync of bundles into the assets bucket and its ingest events."
  policy = templatefile("${local.definitions}/policies/ingest-agent.json", {
    bucket_arn    = data.aws_s3_bucket.assets.arn
    event_bus_arn = data.aws_cloudwatch_event_bus.pipeline.arn
  })
  tags = var.tags
}

resource "aws_iam_policy" "ingest_agent_prune" {
  name        = "${var.name_prefix}-ingest-agent-prune"
  description = "Ingest agent: s3:DeleteObject, needed only by `pnpm agent ingest --prune`."
  policy = templatefile("${local.definitions}/policies/ingest-agent-prune.json", {
    bucket_arn = data.aws_s3_bucket.assets.arn
  })
  tags = var.tags
}

resource "aws_iam_policy" "render_consumer" {
  name        = "${var.name_prefix}-render-consumer"
  description = "Render consumer: consume, defer and dead-letter render messages, read assets, publish render events."
  policy = templatefile("${local.definitions}/policies/render-consumer.json", {
    bucket_arn    = data.aws_s3_bucket.assets.arn
    queue_arn     = aws_sqs_queue.renders.arn
    dlq_arn       = aws_sqs_queue.dlq.arn
    event_bus_arn = data.aws_cloudwatch_event_bus.pipeline.arn
  })
  tags = var.tags
}
