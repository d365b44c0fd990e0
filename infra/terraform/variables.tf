variable "bucket_name" {
  description = "Name of the existing assets bucket (ASSETS_BUCKET). The module hardens it and turns on its EventBridge notifications; it does not create it."
  type        = string
}

variable "event_bus_name" {
  description = "Bus the render rule lives on and the services publish to (EVENT_BUS_NAME). S3 delivers object events to the account's default bus only; see README before changing it."
  type        = string
  default     = "default"
}

variable "queue_name" {
  description = "Render queue name. null = the name in definitions/queues.json (exercise-renders)."
  type        = string
  default     = null
}

variable "dlq_name" {
  description = "Dead-letter queue name. null = the name in definitions/queues.json (exercise-renders-dlq)."
  type        = string
  default     = null
}

variable "versioning_enabled" {
  description = "Bucket versioning: true = Enabled, false = Suspended (a bucket that once had versioning can only be suspended)."
  type        = bool
  default     = true
}

variable "alarm_sns_topic_arn" {
  description = "SNS topic notified when the dead-letter queue holds a message, and again when it is empty."
  type        = string

  validation {
    condition     = can(regex("^arn:aws[a-z-]*:sns:", var.alarm_sns_topic_arn))
    error_message = "alarm_sns_topic_arn must be an SNS topic ARN (arn:aws:sns:REGION:ACCOUNT:NAME)."
  }
}

variable "name_prefix" {
  description = "Prefix of the IAM policy and alarm names."
  type        = string
  default     = "exercise-pipeline"
}

variable "tags" {
  description = "Tags added to every resource the module creates."
  type        = map(string)
  default     = {}
}

# ---- the render consumer as an ECS Fargate service (ecs.tf) ----

variable "consumer_service_enabled" {
  description = "Run the render consumer as an ECS Fargate service scaled on the render queue. false = only the queues, routing and policies (consumers run elsewhere, e.g. systemd)."
  type        = bool
  default     = true
}

variable "environment" {
  description = "Platform environment name (e.g. production, staging): the Bunny API key is read from the secret restartix/{environment}/bunny-bootstrap."
  type        = string
  default     = null

  validation {
    condition     = var.environment == null || can(regex("^[a-z0-9-]+$", var.environment))
    error_message = "environment must be lower-case letters, digits and hyphens (it names the secret restartix/{environment}/bunny-bootstrap)."
  }
}

variable "ecs_cluster_arn" {
  description = "ARN of the ECS cluster the consumer service runs in (Container Insights on: the scaling policy reads RunningTaskCount)."
  type        = string
  default     = null
}

variable "subnet_ids" {
  description = "Private subnets of the consumer tasks (they need a route to SQS, S3, EventBridge, Secrets Manager and Bunny)."
  type        = list(string)
  default     = []
}

variable "security_group_ids" {
  description = "Security groups of the consumer tasks; allow inbound COMPOSER_PORT (9400) only from the callers of the compose API."
  type        = list(string)
  default     = []
}

variable "consumer_assign_public_ip" {
  description = "Give each task a public IP (only for public subnets without a NAT gateway)."
  type        = bool
  default     = false
}

variable "consumer_image" {
  description = "Image of the render consumer, built from deploy/container/Dockerfile (e.g. 123456789012.dkr.ecr.eu-central-1.amazonaws.com/exercise-consumer:0.1.0)."
  type        = string
  default     = null
}

variable "consumer_cpu" {
  description = "CPU units of a consumer task (1024 = 1 vCPU); ffmpeg uses what it gets."
  type        = number
  default     = 2048
}

variable "consumer_memory" {
  description = "Memory of a consumer task in MiB (a valid Fargate combination with consumer_cpu)."
  type        = number
  default     = 4096
}

variable "consumer_cpu_architecture" {
  description = "X86_64 or ARM64 (the image must be built for it)."
  type        = string
  default     = "X86_64"

  validation {
    condition     = contains(["X86_64", "ARM64"], var.consumer_cpu_architecture)
    error_message = "consumer_cpu_architecture must be X86_64 or ARM64."
  }
}

variable "consumer_min_tasks" {
  description = "Fewest consumer tasks (at least 1: the compose API and the status page live in the consumer)."
  type        = number
  default     = 1

  validation {
    condition     = var.consumer_min_tasks >= 1
    error_message = "consumer_min_tasks must be at least 1."
  }
}

variable "consumer_max_tasks" {
  description = "Most consumer tasks the backlog may scale out to."
  type        = number
  default     = 8
}

variable "consumer_backlog_per_task" {
  description = "Target of the scaling policy: render messages waiting per running task (ApproximateNumberOfMessagesVisible / RunningTaskCount)."
  type        = number
  default     = 2
}

variable "consumer_shutdown_deadline_seconds" {
  description = "SHUTDOWN_DEADLINE_SECONDS of the consumer: how long a render may finish after SIGTERM. The container's stopTimeout is this plus 30 s (Fargate allows 120 s)."
  type        = number
  default     = 30

  validation {
    condition     = var.consumer_shutdown_deadline_seconds >= 1 && var.consumer_shutdown_deadline_seconds <= 90
    error_message = "consumer_shutdown_deadline_seconds must be 1-90 (Fargate's stopTimeout is at most 120 s)."
  }
}

variable "consumer_log_retention_days" {
  description = "Retention of the consumer's CloudWatch log group."
  type        = number
  default     = 30
}

variable "bunny_library_id" {
  description = "BUNNY_STREAM_LIBRARY_ID of the consumer."
  type        = string
  default     = null
}

variable "bunny_cdn_hostname" {
  description = "BUNNY_STREAM_CDN_HOSTNAME of the consumer (the library's playback host)."
  type        = string
  default     = null
}

variable "bunny_secret_keys" {
  description = "Environment variable → JSON key in the secret restartix/{environment}/bunny-bootstrap."
  type        = map(string)
  default     = { BUNNY_STREAM_API_KEY = "api_key" }
}

variable "consumer_secret_arns" {
  description = "Further secrets of the consumer: environment variable → Secrets Manager secret ARN (e.g. DATABASE_URL, COMPOSER_API_TOKEN). The execution role may read exactly these."
  type        = map(string)
  default     = {}
}
