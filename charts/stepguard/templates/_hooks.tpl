{{/*
The annotations of what the migration Job needs before it runs. Helm creates pre-install hooks before any of
the release's own objects, so the Job cannot use the release's ServiceAccount, ConfigMap or Secret on a first
install: these hook-time copies exist first (a lower weight), are replaced on every upgrade
(before-hook-creation), and are deleted once the hooks succeeded (hook-succeeded; Helm 4 also deletes them when
the Job fails; Helm 3 leaves them until the next install or upgrade). Hook objects are not part of the release:
`helm uninstall` does not delete them, which is why none of them is kept.
*/}}
{{- define "stepguard.migrationPrerequisiteAnnotations" -}}
helm.sh/hook: pre-install,pre-upgrade
helm.sh/hook-weight: "-10"
helm.sh/hook-delete-policy: before-hook-creation,hook-succeeded
{{- end -}}
