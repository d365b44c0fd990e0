# The render consumer as an ECS Fargate service, scaled on the render queue's backlog per task.
# The container's environment comes from ../definitions/consumer-task.json; secrets (the Bunny API
# key from the platform's `restartix/{env}/bunny-bootstrap`, and whatever consumer_secret_arns
# names, such as DATABASE_URL and COMPOSER_API_TOKEN) reach it through the execution role only.

data "aws_region" "current" {}

data "aws_secretsmanager_secret" "bunny" {
  count = var.consumer_service_enabled ? 1 : 0
  name  = "restartix/${var.environment}/bunny-bootstrap"
}

locals {
  consumer_name = "${var.name_prefix}-${local.consumer_task.containerName}"
  consumer_task = jsondecode(templatefile("${local.definitions}/consumer-task.json", {
    region                    = data.aws_region.current.name
    bucket_name               = var.bucket_name
    event_bus_name            = var.event_bus_name
    queue_url                 = aws_sqs_queue.renders.id
    dlq_url                   = aws_sqs_queue.dlq.id
    bunny_library_id          = var.bunny_library_id == null ? "" : var.bunny_library_id
    bunny_cdn_hostname        = var.bunny_cdn_hostname == null ? "" : var.bunny_cdn_hostname
    shutdown_deadline_seconds = var.consumer_shutdown_deadline_seconds
  }))
  bunny_secret_arn = var.consumer_service_enabled ? data.aws_secretsmanager_secret.bunny[0].arn : ""
  # ECS reads one JSON key of a secret with "ARN:key::".
  consumer_secrets = concat(
    [for name, key in var.bunny_secret_keys : { name = name, valueFrom = "${local.bunny_secret_arn}:${key}::" }],
    [for name, arn in var.consumer_secret_arns : { name = name, valueFrom = arn }],
  )
  # SIGTERM → the render in progress gets SHUTDOWN_DEADLINE_SECONDS, then its message goes back; the
  # stop timeout leaves 30 s more for closing the server and the database (Fargate allows 120 s).
  consumer_stop_timeout = min(120, var.consumer_shutdown_deadline_seconds + 30)
  ecs_cluster_name      = var.ecs_cluster_arn == null ? "" : element(split("/", var.ecs_cluster_arn), 1)

  # Both consumer roles are assumed by ECS tasks.
  ecs_tasks_trust_policy = jsonencode({
    Version   = "2012-10-17"
    Statement = [{ Effect = "Allow", Principal = { Service = "ecs-tasks.amazonaws.com" }, Action = "sts:AssumeRole" }]
  })
}

resource "aws_cloudwatch_log_group" "consumer" {
  count             = var.consumer_service_enabled ? 1 : 0
  name              = "/ecs/${local.consumer_name}"
  retention_in_days = var.consumer_log_retention_days
  tags              = var.tags
}

# ---- roles: the execution role pulls the image, writes logs and reads the secrets; the task role
# is what the consumer itself may do (read assets, work the queues, publish render events) ----

resource "aws_iam_role" "consumer_execution" {
  count       = var.consumer_service_enabled ? 1 : 0
  name        = "${local.consumer_name}-execution"
  description = "ECS execution role of the render consumer: image pull, logs, its secrets."
  assume_role_policy = local.ecs_tasks_trust_policy
  tags = var.tags
}

resource "aws_iam_role_policy_attachment" "consumer_execution" {
  count      = var.consumer_service_enabled ? 1 : 0
  role       = aws_iam_role.consumer_execution[0].name
  policy_arn = "arn:aws:iam::aws:policy/service-role/AmazonECSTaskExecutionRolePolicy"
}

resource "aws_iam_role_policy" "consumer_execution_secrets" {
  count = var.consumer_service_enabled ? 1 : 0
  name  = "read-consumer-secrets"
  role  = aws_iam_role.consumer_execution[0].id
  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Effect   = "Allow"
      Action   = "secretsmanager:GetSecretValue"
      Resource = concat([local.bunny_secret_arn], values(var.consumer_secret_arns))
    }]
  })
}

resource "aws_iam_role" "consumer_task" {
  count       = var.consumer_service_enabled ? 1 : 0
  name        = "${local.consumer_name}-task"
  description = "Task role of the render consumer: read assets, consume and dead-letter render messages, publish render events."
  assume_role_policy = local.ecs_tasks_trust_policy
  tags = var.tags
}

resource "aws_iam_role_policy_attachment" "consumer_task_composer_read" {
  count      = var.consumer_service_enabled ? 1 : 0
  role       = aws_iam_role.consumer_task[0].name
  policy_arn = aws_iam_policy.composer_read.arn
}

resource "aws_iam_role_policy_attachment" "consumer_task_render_consumer" {
  count      = var.consumer_service_enabled ? 1 : 0
  role       = aws_iam_role.consumer_task[0].name
  policy_arn = aws_iam_policy.render_consumer.arn
}

# ---- task definition and service ----

resource "aws_ecs_task_definition" "consumer" {
  count                    = var.consumer_service_enabled ? 1 : 0
  family                   = local.consumer_name
  requires_compatibilities = ["FARGATE"]
  network_mode             = "awsvpc"
  cpu                      = var.consumer_cpu
  memory                   = var.consumer_memory
  execution_role_arn       = aws_iam_role.consumer_execution[0].arn
  task_role_arn            = aws_iam_role.consumer_task[0].arn

  runtime_platform {
    operating_system_family = "LINUX"
    cpu_architecture        = var.consumer_cpu_architecture
  }

  container_definitions = jsonencode([{
    name         = local.consumer_task.containerName
    image        = var.consumer_image
    essential    = true
    portMappings = [{ containerPort = local.consumer_task.port, protocol = "tcp" }]
    environment  = [for name, value in local.consumer_task.environment : { name = name, value = value }]
    secrets      = local.consumer_secrets
    stopTimeout  = local.consumer_stop_timeout
    # Liveness only: /readyz turns false while SQS or the database is unreachable, and replacing
    # every task during an AWS outage would not bring them back sooner.
    healthCheck = {
      command     = ["CMD", "node", "-e", "fetch('http://127.0.0.1:${local.consumer_task.port}/healthz').then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]
      interval    = 30
      timeout     = 5
      retries     = 3
      startPeriod = 30
    }
    logConfiguration = {
      logDriver = "awslogs"
      options = {
        awslogs-group         = aws_cloudwatch_log_group.consumer[0].name
        awslogs-region        = data.aws_region.current.name
        awslogs-stream-prefix = "consumer"
      }
    }
  }])
  tags = var.tags
}

resource "aws_ecs_service" "consumer" {
  count                              = var.consumer_service_enabled ? 1 : 0
  name                               = local.consumer_name
  cluster                            = var.ecs_cluster_arn
  task_definition                    = aws_ecs_task_definition.consumer[0].arn
  desired_count                      = var.consumer_min_tasks
  launch_type                        = "FARGATE"
  deployment_minimum_healthy_percent = 100
  deployment_maximum_percent         = 200
  propagate_tags                     = "SERVICE"

  network_configuration {
    subnets          = var.subnet_ids
    security_groups  = var.security_group_ids
    assign_public_ip = var.consumer_assign_public_ip
  }

  deployment_circuit_breaker {
    enable   = true
    rollback = true
  }

  lifecycle {
    # The scaling policy owns the task count once the service exists.
    ignore_changes = [desired_count]

    precondition {
      condition = alltrue([
        var.ecs_cluster_arn != null, var.consumer_image != null, length(var.subnet_ids) > 0,
        var.environment != null, var.bunny_library_id != null, var.bunny_cdn_hostname != null,
      ])
      error_message = "consumer_service_enabled needs environment, ecs_cluster_arn, subnet_ids, consumer_image, bunny_library_id and bunny_cdn_hostname (or set consumer_service_enabled = false)."
    }
  }
  tags = var.tags
}

# ---- scaling on backlog per task: visible messages / running tasks, by metric math ----

resource "aws_appautoscaling_target" "consumer" {
  count              = var.consumer_service_enabled ? 1 : 0
  service_namespace  = "ecs"
  resource_id        = "service/${local.ecs_cluster_name}/${aws_ecs_service.consumer[0].name}"
  scalable_dimension = "ecs:service:DesiredCount"
  min_capacity       = var.consumer_min_tasks
  max_capacity       = var.consumer_max_tasks
}

resource "aws_appautoscaling_policy" "consumer_backlog" {
  count              = var.consumer_service_enabled ? 1 : 0
  name               = "${local.consumer_name}-backlog-per-task"
  policy_type        = "TargetTrackingScaling"
  service_namespace  = aws_appautoscaling_target.consumer[0].service_namespace
  resource_id        = aws_appautoscaling_target.consumer[0].resource_id
  scalable_dimension = aws_appautoscaling_target.consumer[0].scalable_dimension

  target_tracking_scaling_policy_configuration {
    target_value       = var.consumer_backlog_per_task
    scale_out_cooldown = 60
    scale_in_cooldown  = 300

    customized_metric_specification {
      metrics {
        id          = "visible"
        label       = "Render messages waiting"
        return_data = false
        metric_stat {
          stat = "Sum"
          metric {
            namespace   = "AWS/SQS"
            metric_name = "ApproximateNumberOfMessagesVisible"
            dimensions {
              name  = "QueueName"
              value = aws_sqs_queue.renders.name
            }
          }
        }
      }

      # Container Insights must be on for the cluster (RunningTaskCount comes from it).
      metrics {
        id          = "tasks"
        label       = "Running consumer tasks"
        return_data = false
        metric_stat {
          stat = "Average"
          metric {
            namespace   = "ECS/ContainerInsights"
            metric_name = "RunningTaskCount"
            dimensions {
              name  = "ClusterName"
              value = local.ecs_cluster_name
            }
            dimensions {
              name  = "ServiceName"
              value = aws_ecs_service.consumer[0].name
            }
          }
        }
      }

      metrics {
        id          = "backlog_per_task"
        label       = "Render messages waiting per running task"
        expression  = "visible / tasks"
        return_data = true
      }
    }
  }
}
