{{/*
What the chart sets in the containers' environment. Every name here is a setting of config/schema.ts
(docs/configuration.md); `npm run chart:check` keeps it so and runs the app's own loadEnv() on the result.
*/}}

{{/* PUBLIC_URL: the configured one, else the first ingress host (https when a TLS entry names it). */}}
{{- define "stepguard.publicUrl" -}}
{{- if .Values.config.publicUrl -}}
{{- .Values.config.publicUrl -}}
{{- else if and .Values.ingress.enabled .Values.ingress.hosts -}}
{{- $host := (first .Values.ingress.hosts).host -}}
{{- $tls := false -}}
{{- range .Values.ingress.tls }}{{ if has $host .hosts }}{{ $tls = true }}{{ end }}{{ end -}}
{{- printf "%s://%s" (ternary "https" "http" $tls) $host -}}
{{- end -}}
{{- end -}}

{{/* AUDIT_STREAM_EGRESS_ALLOW: the CIDRs of private sink destinations, then the extra entries. */}}
{{- define "stepguard.egressAllow" -}}
{{- $entries := list -}}
{{- range .Values.auditSinks.destinations }}{{ if .allowPrivate }}{{ $entries = append $entries .cidr }}{{ end }}{{ end -}}
{{- concat $entries .Values.auditSinks.egressAllow | uniq | join "," -}}
{{- end -}}

{{/* A value as the string an environment variable holds (whole numbers without an exponent). */}}
{{- define "stepguard.envString" -}}
{{- if and (kindIs "float64" .) (eq (float64 (int64 .)) .) -}}
{{- int64 . -}}
{{- else -}}
{{- toString . -}}
{{- end -}}
{{- end -}}

{{/* The ConfigMap's data: every non-secret setting, the same for every Stepguard container. */}}
{{- define "stepguard.configData" -}}
NODE_ENV: production
PORT: {{ .Values.api.port | int | quote }}
{{- with include "stepguard.publicUrl" . }}
PUBLIC_URL: {{ . | quote }}
{{- end }}
LOG_LEVEL: {{ .Values.config.logLevel | quote }}
# The api serves HTTP only; the worker Deployment runs the queues.
STEPGUARD_WORKERS_IN_PROCESS: "false"
# The migration Job (a pre-install/pre-upgrade hook) migrates; pods never race on it.
STEPGUARD_MIGRATE_ON_START: "false"
DATABASE_POOL_MAX: {{ .Values.database.poolMax | int | quote }}
REDIS_KEY_PREFIX: {{ .Values.redis.keyPrefix | quote }}
{{- if eq .Values.redis.mode "sentinel" }}
REDIS_SENTINELS: {{ join "," .Values.redis.sentinel.hosts | quote }}
REDIS_SENTINEL_NAME: {{ .Values.redis.sentinel.masterSet | quote }}
REDIS_TLS: {{ .Values.redis.tls | toString | quote }}
{{- with .Values.redis.username }}
REDIS_USERNAME: {{ . | quote }}
{{- end }}
{{- end }}
{{- with .Values.redis.tlsCaFile }}
REDIS_TLS_CA_FILE: {{ . | quote }}
{{- end }}
MAIL_FROM: {{ .Values.config.mailFrom | quote }}
SHUTDOWN_TIMEOUT_SECONDS: {{ .Values.config.shutdownTimeoutSeconds | int | quote }}
{{- with .Values.config.trustedProxy }}
TRUSTED_PROXY: {{ . | quote }}
{{- end }}
{{- with include "stepguard.egressAllow" . }}
AUDIT_STREAM_EGRESS_ALLOW: {{ . | quote }}
{{- end }}
{{- range $name, $value := .Values.config.settings }}
{{ $name }}: {{ include "stepguard.envString" $value | quote }}
{{- end }}
{{- end -}}

{{/*
The secrets a container reads, as [setting, value key, inline value]. `forMigration`: the owner's
DATABASE_URL (with database.separateMigrationRole) and no SMTP_URL, which migrating does not need.
*/}}
{{- define "stepguard.secretSettings" -}}
{{- $v := .root.Values -}}
{{- $keys := $v.secrets.keys -}}
{{- $inline := $v.secrets.inline -}}
{{- $rows := list -}}
{{- if and .forMigration $v.database.separateMigrationRole -}}
{{- $rows = append $rows (list "DATABASE_URL" $keys.migrationDatabaseUrl $inline.migrationDatabaseUrl "migrationDatabaseUrl") -}}
{{- else -}}
{{- $rows = append $rows (list "DATABASE_URL" $keys.databaseUrl $inline.databaseUrl "databaseUrl") -}}
{{- end -}}
{{- if eq $v.redis.mode "sentinel" -}}
{{- if $v.redis.passwordFromSecret -}}
{{- $rows = append $rows (list "REDIS_PASSWORD" $keys.redisPassword $inline.redisPassword "redisPassword") -}}
{{- end -}}
{{- if $v.redis.sentinel.passwordFromSecret -}}
{{- $rows = append $rows (list "REDIS_SENTINEL_PASSWORD" $keys.redisSentinelPassword $inline.redisSentinelPassword "redisSentinelPassword") -}}
{{- end -}}
{{- else -}}
{{- $rows = append $rows (list "REDIS_URL" $keys.redisUrl $inline.redisUrl "redisUrl") -}}
{{- end -}}
{{- if not .forMigration -}}
{{- $rows = append $rows (list "SMTP_URL" $keys.smtpUrl $inline.smtpUrl "smtpUrl") -}}
{{- end -}}
{{- $rows = append $rows (list "STEPGUARD_ENCRYPTION_KEYS" $keys.encryptionKeys $inline.encryptionKeys "encryptionKeys") -}}
{{- $rows = append $rows (list "STEPGUARD_AUDIT_SIGNING_KEY" $keys.auditSigningKey $inline.auditSigningKey "auditSigningKey") -}}
{{- $rows = append $rows (list "STEPGUARD_OPERATOR_TOKEN" $keys.operatorToken $inline.operatorToken "operatorToken") -}}
{{- toJson $rows -}}
{{- end -}}

{{/* The data of a Secret the chart renders (never with existingSecret). */}}
{{- define "stepguard.secretData" -}}
{{- $data := dict -}}
{{- range fromJsonArray (include "stepguard.secretSettings" .) -}}
{{- $_ := set $data (index . 1) (index . 2 | b64enc) -}}
{{- end -}}
{{- toYaml $data -}}
{{- end -}}

{{/* The container's `env` entries for the secrets, each a secretKeyRef into `secretName`. */}}
{{- define "stepguard.secretEnv" -}}
{{- $secretName := .secretName -}}
{{- $env := list -}}
{{- range fromJsonArray (include "stepguard.secretSettings" .) -}}
{{- $env = append $env (dict "name" (index . 0) "valueFrom" (dict "secretKeyRef" (dict "name" $secretName "key" (index . 1)))) -}}
{{- end -}}
{{- toYaml $env -}}
{{- end -}}

{{/* The envFrom of the api and the workers: the ConfigMap (their secrets come as env, stepguard.secretEnv). */}}
{{- define "stepguard.appEnvFrom" -}}
envFrom:
  - configMapRef:
      name: {{ include "stepguard.fullname" . }}
{{- end -}}
