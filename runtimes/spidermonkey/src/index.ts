export { DRIVER_GUEST_PATH, DRIVER_SOURCE } from './driver.js';
export { APP_MOUNT, recipe, STARLINGMONKEY_ENGINE } from './recipe.js';
