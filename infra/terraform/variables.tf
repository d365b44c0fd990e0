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
