export { installPages, PAGE_PATHS } from './install-pages.js';
export { WebModule } from './web.module.js';
