-- Stepguard's two database roles (README, "Running as a non-owner role"): the owner, which runs the
-- migrations and owns every table and function, and the application, which reads and writes rows and
-- owns nothing, so it can neither change the schema nor disable the audit tables' append-only triggers.
-- Run once by a superuser on the (empty) Stepguard database, with the psql variables db, owner_role,
-- owner_password, app_role and app_password (docker/postgres/init-roles.sh).

create role :"owner_role" login password :'owner_password';
create role :"app_role" login password :'app_password';

alter database :"db" owner to :"owner_role";
alter schema public owner to :"owner_role";
revoke create on schema public from public;
grant usage on schema public to :"app_role";

-- Whatever the owner's migrations create from now on: rows for the application, never the shape.
alter default privileges for role :"owner_role" in schema public
  grant select, insert, update, delete on tables to :"app_role";
alter default privileges for role :"owner_role" in schema public
  grant usage, select on sequences to :"app_role";
-- Functions (audit_append, the audit triggers' helpers): for the application only, not for every role.
alter default privileges for role :"owner_role" revoke execute on functions from public;
alter default privileges for role :"owner_role" in schema public grant execute on functions to :"app_role";
