{{/*
Egress rules of a Stepguard pod: DNS and PostgreSQL for all; with `app` (the api and workers) also Redis, SMTP,
every audit sink destination and networkPolicy.extraEgress. A rule without `to` allows its ports to any address.
*/}}
{{- define "stepguard.egressRules" -}}
{{- $values := .root.Values -}}
{{- $egress := $values.networkPolicy.egress -}}
{{- $dns := dict "ports" (list (dict "protocol" "UDP" "port" 53) (dict "protocol" "TCP" "port" 53)) -}}
{{- with $egress.dns.to }}{{ $_ := set $dns "to" . }}{{ end -}}
{{- $rules := list $dns -}}
{{- $targets := list $egress.postgres -}}
{{- if .app }}{{ $targets = concat $targets (list $egress.redis $egress.smtp) }}{{ end -}}
{{- range $targets -}}
{{- $ports := list -}}
{{- range .ports }}{{ $ports = append $ports (dict "protocol" "TCP" "port" .) }}{{ end -}}
{{- $rule := dict "ports" $ports -}}
{{- with .to }}{{ $_ := set $rule "to" . }}{{ end -}}
{{- $rules = append $rules $rule -}}
{{- end -}}
{{- if .app -}}
{{- range $values.auditSinks.destinations -}}
{{- $block := dict "cidr" .cidr -}}
{{- with .except }}{{ $_ := set $block "except" . }}{{ end -}}
{{- $ports := list -}}
{{- range (.ports | default (list 443)) }}{{ $ports = append $ports (dict "protocol" "TCP" "port" .) }}{{ end -}}
{{- $rules = append $rules (dict "to" (list (dict "ipBlock" $block)) "ports" $ports) -}}
{{- end -}}
{{- $rules = concat $rules $values.networkPolicy.extraEgress -}}
{{- end -}}
{{- toYaml $rules -}}
{{- end -}}
