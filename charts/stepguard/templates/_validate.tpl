{{/*
Rules across several values, which values.schema.json (types, enums, patterns, unknown keys) cannot say
with a readable message. Included by configmap.yaml, which every render produces, so `helm template`,
`helm lint` and `helm install` all stop on them.
*/}}
{{- define "stepguard.validate" -}}
{{- $v := .Values -}}
{{- $setInline := list -}}
{{- range $name, $value := $v.secrets.inline }}{{ if $value }}{{ $setInline = append $setInline (printf "secrets.inline.%s" $name) }}{{ end }}{{ end -}}
{{- if and $v.secrets.existingSecret $setInline -}}
{{- fail (printf "secrets.existingSecret (%q) and inline secret values (%s) are both set: with an existing Secret the chart renders none, so the inline values would be silently ignored. Remove them, or unset secrets.existingSecret." $v.secrets.existingSecret (join ", " $setInline)) -}}
{{- end -}}
{{- if not $v.secrets.existingSecret -}}
{{- range (concat (fromJsonArray (include "stepguard.secretSettings" (dict "root" . "forMigration" false))) (fromJsonArray (include "stepguard.secretSettings" (dict "root" . "forMigration" true)))) }}
{{- if not (index . 2) -}}
{{- fail (printf "secrets.inline.%s is required for %s (or name a Secret holding it in secrets.existingSecret)" (index . 3) (index . 0)) -}}
{{- end -}}
{{- end -}}
{{- end -}}
{{- if eq $v.redis.mode "sentinel" -}}
{{- if not $v.redis.sentinel.hosts -}}
{{- fail "redis.mode is sentinel: list the sentinels in redis.sentinel.hosts (host:port each)" -}}
{{- end -}}
{{- if not $v.redis.sentinel.masterSet -}}
{{- fail "redis.mode is sentinel: set redis.sentinel.masterSet to the name of the master set the sentinels monitor" -}}
{{- end -}}
{{- else if or $v.redis.username $v.redis.passwordFromSecret $v.redis.tls $v.redis.sentinel.hosts $v.redis.sentinel.passwordFromSecret -}}
{{- fail "redis.username, redis.passwordFromSecret, redis.tls and redis.sentinel.* apply to redis.mode=sentinel only; in standalone mode REDIS_URL carries the user, the password and TLS (rediss://)" -}}
{{- end -}}
{{- range $name, $component := dict "api" $v.api "worker" $v.worker }}
{{- if and $component.autoscaling.enabled (gt (int $component.autoscaling.minReplicas) (int $component.autoscaling.maxReplicas)) -}}
{{- fail (printf "%s.autoscaling.minReplicas (%d) exceeds maxReplicas (%d)" $name (int $component.autoscaling.minReplicas) (int $component.autoscaling.maxReplicas)) -}}
{{- end -}}
{{- if and $component.pdb.enabled (eq (toString $component.pdb.minAvailable) "") (eq (toString $component.pdb.maxUnavailable) "") -}}
{{- fail (printf "%s.pdb is enabled: set minAvailable or maxUnavailable" $name) -}}
{{- end -}}
{{- end -}}
{{- if and $v.ingress.enabled (not $v.ingress.hosts) -}}
{{- fail "ingress.enabled: list at least one host in ingress.hosts" -}}
{{- end -}}
{{- if and $v.httpRoute.enabled (not $v.httpRoute.parentRefs) -}}
{{- fail "httpRoute.enabled: name the Gateway(s) the route attaches to in httpRoute.parentRefs" -}}
{{- end -}}
{{- end -}}
