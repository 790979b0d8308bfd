export { prodmanager, type ProdManagerOptions } from './prodmanager/index.js'
